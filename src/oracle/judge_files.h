// The oracle over files: reads every VM disk (a file or nbd:// URI) and every
// ack log, then judges them. Shared by `poolha disk-oracle` and the local
// pool harness, which judges its VM disks after each run.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "oracle/oracle.h"

namespace poolha::oracle {

struct DiskToJudge {
  // The VM the disk belongs to; empty: the VM its header names. A disk with
  // no header and no VM given was never written and is left out.
  std::string vm;
  std::string disk;  // path or nbd:// URI
};

// Throws OracleInputError for an input that cannot be judged (a disk whose
// header is unreadable and no VM given, an unreadable ack log) and
// io::IoError when a disk cannot be read. Warnings of the ack logs (torn
// lines) are added to the verdict's.
Verdict judge_files(std::span<const DiskToJudge> disks,
                    std::span<const std::filesystem::path> ack_logs);

}  // namespace poolha::oracle

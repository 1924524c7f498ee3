// The module's command-line entry points, for src/cli to wire up:
//
//   poolha disk-writer --disk DISK --vm UUID --ack-log FILE [--interval-ms 100] [--buffered]
//   poolha disk-oracle --disk UUID=DISK... [--ack-log FILE...] [--json FILE]
//
// DISK is a local file or block device or nbd://host:port/export.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace poolha::oracle {

struct DiskWriterCommandOptions {
  std::string disk;
  std::string vm;
  std::filesystem::path ack_log;
  int interval_ms = 100;
  bool buffered = false;  // a local file without O_DIRECT (a filesystem that refuses it)
};

// Runs the writer until SIGTERM or SIGINT, then flushes. Returns 0 after a
// clean stop; 1 when the disk or the ack log fails (so whoever runs it as a
// VM sees the VM die), 2 for bad arguments; the reason goes to `err`.
int run_disk_writer_command(const DiskWriterCommandOptions& options, std::ostream& err);

struct DiskOracleCommandOptions {
  std::vector<std::string> disks;  // UUID=DISK, one per VM
  std::vector<std::filesystem::path> ack_logs;
  std::filesystem::path json_path;  // when set, the whole verdict as JSON
};

// Judges the disks against the ack logs and prints the verdict, then a last
// line "summary: {json counts}". Returns 0 for a clean verdict, 1 for any
// violation, 2 when the input cannot be read.
int run_disk_oracle_command(const DiskOracleCommandOptions& options, std::ostream& out,
                            std::ostream& err);

}  // namespace poolha::oracle

// The disk oracle: after a chaos run, from what each VM disk holds and every
// ack line the writers left, proves or refutes two promises of pool HA.
//
//  (a) No VM ran twice at once: for each VM, the time spans of any two boots
//      [first record, last record] must not overlap. A boot's span covers its
//      records on the disk and its acknowledged records, so a boot whose
//      records another boot overwrote still counts.
//  (b) No acknowledged write was lost: every (vm, boot, sequence) in an ack
//      log is on that VM's disk, with the time the ack names.
//  (c) The log is sane: a header naming the VM; no damaged sector and no
//      empty gap inside the log; only this VM's records; per boot each
//      sequence once, from 1 without gaps up to the last one written or
//      acknowledged, ascending along the disk and in time.
//
// A pure function of its input; load_vm_disk/load_ack_log read the input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "oracle/ack_log.h"
#include "oracle/disk_scan.h"
#include "oracle/ids.h"

namespace poolha::oracle {

struct VmDisk {
  std::string vm;    // the canonical id of the VM this disk belongs to
  std::string name;  // path or URI, for reports
  DiskScan scan;
};

// (a): two boots of one VM whose spans overlap; `first` started earlier.
struct Overlap {
  std::string vm;
  BootId first;
  BootId second;
  std::uint64_t overlap_ns = 0;  // 0 when one ended in the same nanosecond the other began
};

// (b): an acknowledged record missing from the disk.
struct LostRecord {
  std::string vm;
  BootId boot;
  std::uint64_t sequence = 0;
  std::uint64_t time_ns = 0;
  std::string source;  // the ack line, "FILE:LINE"
};

enum class CorruptionKind {
  kHeaderMissing,    // records but no header
  kHeaderDamaged,    // sector 0 neither empty nor a header
  kHeaderOtherVm,    // the header names another VM
  kBadSector,        // a damaged sector in the log
  kHole,             // empty sectors inside the log
  kForeignRecord,    // records of another VM
  kDuplicateRecord,  // one (boot, sequence) on the disk twice
  kSequenceOrder,    // a boot's sequences do not ascend along the disk
  kSequenceGap,      // sequences missing below the last written or acknowledged
  kTimeOrder,        // a boot's record times go backwards along the disk
  kAckMismatch,      // the acknowledged record is on the disk with another time
  kAckConflict,      // two ack lines for one record disagree on its time
  kAckForUnknownVm,  // ack lines for a VM whose disk was not given
};

std::string_view to_string(CorruptionKind kind);

// (c)
struct Corruption {
  std::string vm;
  CorruptionKind kind = CorruptionKind::kBadSector;
  std::string detail;
};

struct VmSummary {
  std::string vm;
  std::size_t boots = 0;    // distinct boot ids on the disk or in ack lines
  std::size_t records = 0;  // this VM's records on its disk
  std::size_t acked = 0;    // distinct acknowledged records
  std::size_t overlaps = 0;
  std::size_t lost = 0;
  std::size_t corruptions = 0;
};

struct Verdict {
  std::vector<VmSummary> vms;  // in the order the disks were given
  std::vector<Overlap> overlaps;
  std::vector<LostRecord> lost;
  std::vector<Corruption> corruptions;
  std::vector<std::string> warnings;  // not violations (skipped torn ack lines)

  bool clean() const { return overlaps.empty() && lost.empty() && corruptions.empty(); }
};

// Judges every VM disk against every ack line (in any order, from any
// number of logs; identical duplicate lines count once).
Verdict judge(std::span<const VmDisk> disks, std::span<const AckEntry> acks);

}  // namespace poolha::oracle

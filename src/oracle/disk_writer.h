// The "VM" of a chaos run: appends one record to its VM disk at a steady pace
// and, only once the disk acknowledged a record as durable, writes a line for
// it to the local ack log. Two runs of one VM at once leave overlapping boots
// on the disk; an acknowledged write a fault lost leaves an ack line with no
// record. The oracle (oracle.h) finds both.
//
// Records are 512-byte sectors but devices take whole 4096-byte blocks
// (io::BlockDevice's alignment rule), so the writer keeps the block it is
// filling in memory and rewrites it whole for each record. The sectors it
// rewrites are its own, as it last read or wrote them; a second writer on the
// same disk is exactly what the oracle must expose, and clobbered records
// show up as lost ones.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/block_device.h"
#include "oracle/ack_log.h"
#include "oracle/disk_scan.h"
#include "oracle/ids.h"

namespace poolha::oracle {

// A disk the writer must not or cannot write: full, formatted for another
// VM, damaged in its header. The message says which and why.
class DiskWriterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// CLOCK_MONOTONIC in nanoseconds: the clock every host of a chaos pool shares.
std::uint64_t monotonic_ns();

class DiskWriter {
 public:
  using ClockNs = std::function<std::uint64_t()>;

  // Reads the whole disk to find the end of the log (after its last
  // non-empty sector) and writes the header on a blank disk. `vm` must be
  // canonical (parse_vm_id). Throws DiskWriterError or io::IoError.
  DiskWriter(io::BlockDevice& disk, AckLogFile& acks, std::string vm, BootId boot,
             ClockNs clock = monotonic_ns);

  // Writes the next record; once the device reports it durable, appends its
  // ack line and returns the entry. Throws DiskWriterError when the disk is
  // full and io::IoError when the disk or the ack log fails; nothing is
  // acknowledged then.
  AckEntry write_next();

  // A barrier before a clean exit (each write is already durable).
  void flush();

  const std::string& vm() const { return vm_; }
  const BootId& boot() const { return boot_; }
  std::uint64_t first_sector() const { return first_sector_; }
  std::uint64_t next_sector() const { return next_sector_; }
  std::uint64_t sector_count() const { return sector_count_; }
  std::uint64_t records_written() const { return sequence_; }

 private:
  void load_block(std::uint64_t offset);

  io::BlockDevice& disk_;
  AckLogFile& acks_;
  std::string vm_;
  BootId boot_;
  ClockNs clock_;
  std::uint64_t sector_count_ = 0;
  std::uint64_t first_sector_ = kFirstRecordSector;
  std::uint64_t next_sector_ = kFirstRecordSector;
  std::uint64_t sequence_ = 0;  // of the last record written
  std::uint64_t block_offset_ = 0;
  std::vector<std::uint8_t> block_;  // the device block holding next_sector_, as on disk
};

// Writes a record every `interval` (measured start to start; 0: back to
// back) until `stop` is set, then flushes. `on_ack`, when given, sees each
// acknowledged record (tests count them). Throws what write_next() throws.
void run_disk_writer(DiskWriter& writer, std::chrono::milliseconds interval,
                     const std::atomic<bool>& stop,
                     const std::function<void(const AckEntry&)>& on_ack = {});

}  // namespace poolha::oracle

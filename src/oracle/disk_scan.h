// What a VM disk holds, sector by sector: the header, every record in disk
// order, the sectors that are neither a record nor empty (torn, overwritten
// or foreign), and the empty runs inside the log. The writer uses it to find
// where its boot continues the log; the oracle judges it after a run.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/block_device.h"
#include "oracle/disk_record.h"
#include "wire/decode_error.h"

namespace poolha::oracle {

// Sector 0 is the header; the log's records start here.
inline constexpr std::uint64_t kFirstRecordSector = 1;

struct ScannedRecord {
  std::uint64_t sector = 0;
  DiskRecord record;
};

struct BadSector {
  std::uint64_t sector = 0;
  wire::DecodeError error = wire::DecodeError::kBadChecksum;  // never kEmpty
};

// Empty sectors [first, first + count) with a non-empty sector after them.
struct EmptyRun {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

struct DiskScan {
  std::uint64_t sector_count = 0;  // sectors scanned, the header included
  wire::Decoded<DiskHeader> header = wire::DecodeError::kEmpty;
  std::vector<ScannedRecord> records;  // in sector order
  std::vector<BadSector> bad_sectors;  // in sector order, header excluded
  std::vector<EmptyRun> holes;         // in sector order
  // One past the last non-empty sector of the log (at least
  // kFirstRecordSector): where the next boot appends, so that nothing the
  // log holds, not even a damaged sector, is overwritten.
  std::uint64_t end_sector = kFirstRecordSector;
};

// Builds a DiskScan from the disk's bytes fed in order from sector 0, so a
// large disk is judged without holding it in memory.
class DiskScanner {
 public:
  // `bytes` must be whole sectors.
  void feed(std::span<const std::uint8_t> bytes);
  DiskScan finish() &&;

 private:
  void feed_sector(std::span<const std::uint8_t> sector);

  DiskScan scan_;
  std::uint64_t empty_run_first_ = 0;
  std::uint64_t empty_run_count_ = 0;
};

// Scans an image in memory; a partial sector at its end is ignored.
DiskScan scan_disk_image(std::span<const std::uint8_t> image);

// Reads the whole device in large aligned chunks. Bytes past its last whole
// block (which no aligned write can reach) are not scanned. Throws
// io::IoError when a read fails.
DiskScan scan_disk(io::BlockDevice& disk);

}  // namespace poolha::oracle

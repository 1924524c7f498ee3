#include "oracle/disk_scan.h"

#include <algorithm>
#include <utility>

#include "common/check.h"

namespace poolha::oracle {

namespace {

// Big enough to keep a whole-disk read over NBD from being a round trip per
// block, small enough to stay well under any server's request limit.
constexpr std::size_t kScanChunk = std::size_t{1} << 20;

}  // namespace

void DiskScanner::feed(std::span<const std::uint8_t> bytes) {
  POOLHA_CHECK(bytes.size() % kSectorSize == 0, "disk scan fed a partial sector");
  for (std::size_t at = 0; at < bytes.size(); at += kSectorSize) {
    feed_sector(bytes.subspan(at, kSectorSize));
  }
}

void DiskScanner::feed_sector(std::span<const std::uint8_t> sector) {
  const std::uint64_t index = scan_.sector_count++;
  if (index == 0) {
    scan_.header = decode_header(sector);
    return;
  }
  wire::Decoded<DiskRecord> decoded = decode_record(sector);
  if (!decoded.ok() && decoded.error() == wire::DecodeError::kEmpty) {
    if (empty_run_count_ == 0) empty_run_first_ = index;
    ++empty_run_count_;
    return;
  }
  // A non-empty sector: the empty run before it, if any, lies inside the log.
  if (empty_run_count_ > 0) {
    scan_.holes.push_back({empty_run_first_, empty_run_count_});
    empty_run_count_ = 0;
  }
  if (decoded.ok()) {
    scan_.records.push_back({index, std::move(decoded.value())});
  } else {
    scan_.bad_sectors.push_back({index, decoded.error()});
  }
  scan_.end_sector = index + 1;
}

DiskScan DiskScanner::finish() && {
  return std::move(scan_);
}

DiskScan scan_disk_image(std::span<const std::uint8_t> image) {
  DiskScanner scanner;
  scanner.feed(image.first(image.size() / kSectorSize * kSectorSize));
  return std::move(scanner).finish();
}

DiskScan scan_disk(io::BlockDevice& disk) {
  const std::uint64_t usable = disk.size() / disk.alignment() * disk.alignment();
  DiskScanner scanner;
  for (std::uint64_t offset = 0; offset < usable;) {
    const std::size_t length =
        static_cast<std::size_t>(std::min<std::uint64_t>(kScanChunk, usable - offset));
    scanner.feed(disk.read(offset, length));
    offset += length;
  }
  return std::move(scanner).finish();
}

}  // namespace poolha::oracle

#include "oracle/disk_writer.h"

#include <time.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "common/check.h"
#include "oracle/disk_record.h"

namespace poolha::oracle {

namespace {

// How often a sleeping writer looks at its stop flag.
constexpr auto kStopPollSlice = std::chrono::milliseconds(10);

}  // namespace

std::uint64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec);
}

DiskWriter::DiskWriter(io::BlockDevice& disk, AckLogFile& acks, std::string vm, BootId boot,
                       ClockNs clock)
    : disk_(disk), acks_(acks), vm_(std::move(vm)), boot_(boot), clock_(std::move(clock)) {
  POOLHA_CHECK(parse_vm_id(vm_) == vm_, "disk writer needs a canonical VM id");
  POOLHA_CHECK(!boot_.is_zero(), "disk writer needs a boot id");
  const DiskScan scan = scan_disk(disk_);
  sector_count_ = scan.sector_count;
  if (sector_count_ <= kFirstRecordSector) {
    throw DiskWriterError(
        fmt::format("{} is too small for a record log ({} bytes)", disk_.name(), disk_.size()));
  }
  if (scan.header.ok()) {
    if (scan.header.value().vm != vm_) {
      throw DiskWriterError(fmt::format("{} is the disk of VM {}, not of VM {}", disk_.name(),
                                        scan.header.value().vm, vm_));
    }
  } else if (scan.header.error() != wire::DecodeError::kEmpty) {
    throw DiskWriterError(fmt::format("{}: the header sector is damaged ({}); refusing to write",
                                      disk_.name(), wire::to_string(scan.header.error())));
  } else if (scan.end_sector > kFirstRecordSector) {
    throw DiskWriterError(fmt::format(
        "{} holds data but no header (first non-empty sector before {}); refusing to write",
        disk_.name(), scan.end_sector));
  } else {
    // A blank disk: this boot formats it.
    load_block(0);
    const Sector header = encode_header({vm_});
    std::copy(header.begin(), header.end(), block_.begin());
    disk_.write(0, block_);
  }
  first_sector_ = scan.end_sector;
  next_sector_ = scan.end_sector;
}

void DiskWriter::load_block(std::uint64_t offset) {
  block_ = disk_.read(offset, disk_.alignment());
  block_offset_ = offset;
}

AckEntry DiskWriter::write_next() {
  if (next_sector_ >= sector_count_) {
    throw DiskWriterError(
        fmt::format("{} is full: its log holds {} sectors", disk_.name(), sector_count_));
  }
  const std::uint64_t byte_offset = next_sector_ * kSectorSize;
  const std::uint64_t block_offset = byte_offset / disk_.alignment() * disk_.alignment();
  if (block_.empty() || block_offset != block_offset_) load_block(block_offset);

  AckEntry entry{vm_, boot_, sequence_ + 1, clock_(), {}};
  const Sector record = encode_record({entry.vm, entry.boot, entry.sequence, entry.time_ns});
  std::copy(record.begin(), record.end(),
            block_.begin() + static_cast<std::ptrdiff_t>(byte_offset - block_offset));
  disk_.write(block_offset, block_);  // durable on return, or throws
  acks_.append(entry);
  sequence_ = entry.sequence;
  ++next_sector_;
  return entry;
}

void DiskWriter::flush() {
  disk_.flush();
}

void run_disk_writer(DiskWriter& writer, std::chrono::milliseconds interval,
                     const std::atomic<bool>& stop,
                     const std::function<void(const AckEntry&)>& on_ack) {
  auto next = std::chrono::steady_clock::now();
  while (!stop.load()) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next) {
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(next - now, kStopPollSlice));
      continue;
    }
    const AckEntry entry = writer.write_next();
    if (on_ack) on_ack(entry);
    // A writer that fell behind does not burst to catch up.
    next = std::max(next + interval, now);
  }
  writer.flush();
}

}  // namespace poolha::oracle

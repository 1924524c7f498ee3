// Region bounds are checked here, before the device's own alignment and size
// checks, so a wrong offset from the caller cannot reach a neighbouring
// region.
#include "io/storage_jobs.h"

#include <limits>
#include <utility>

#include <fmt/format.h>

#include "io/io_error.h"

namespace poolha::io {

namespace {

void check_within(const DeviceRegion& region, std::string_view what, std::uint64_t offset,
                  std::uint64_t length) {
  if (offset > region.size || length > region.size - offset) {
    throw IoError(fmt::format("{}: {} bytes at offset {} do not fit in the region ({} bytes)", what,
                              length, offset, region.size));
  }
}

}  // namespace

StorageJob statefile_job(const ha::StorageOp& op, DeviceRegion statefile) {
  if (op.kind == ha::StorageOp::Kind::kReadAll) {
    return region_read_job(statefile, "statefile read");
  }
  StorageJob job;
  job.description =
      fmt::format("statefile write of {} bytes at offset {}", op.bytes.size(), op.offset);
  job.run = [statefile, offset = op.offset, bytes = op.bytes](BlockDevice& device,
                                                              std::atomic<std::size_t>& steps) {
    check_within(statefile, "statefile write", offset, bytes.size());
    device.write(statefile.base + offset, bytes);
    device.flush();
    ++steps;
    return std::vector<std::uint8_t>{};
  };
  return job;
}

StorageJob area_writes_job(std::vector<pool::AreaWrite> writes, DeviceRegion area) {
  StorageJob job;
  job.description = fmt::format("metadata area write ({} writes)", writes.size());
  job.run = [area, writes = std::move(writes)](BlockDevice& device,
                                               std::atomic<std::size_t>& steps) {
    for (const pool::AreaWrite& write : writes) {
      check_within(area, "metadata area write", write.offset, write.bytes.size());
      device.write(area.base + write.offset, write.bytes);
      device.flush();
      ++steps;
    }
    return std::vector<std::uint8_t>{};
  };
  return job;
}

StorageJob region_read_job(DeviceRegion region, std::string description) {
  StorageJob job;
  job.description = std::move(description);
  job.run = [region](BlockDevice& device, std::atomic<std::size_t>& steps) {
    if (region.size > std::numeric_limits<std::size_t>::max()) {
      throw IoError(fmt::format("region of {} bytes is too large to read at once", region.size));
    }
    std::vector<std::uint8_t> bytes = device.read(region.base, region.size);
    ++steps;
    return bytes;
  };
  return job;
}

}  // namespace poolha::io

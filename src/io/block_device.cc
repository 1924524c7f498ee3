// The request check every BlockDevice applies before touching the disk.
#include "io/block_device.h"

#include <limits>

#include <fmt/format.h>

#include "io/io_error.h"

namespace poolha::io {

void check_block_request(const BlockDevice& device, std::string_view what, std::uint64_t offset,
                         std::uint64_t length) {
  const std::uint64_t align = device.alignment();
  if (length == 0) {
    throw IoError(fmt::format("{} of {} at offset {}: empty request", what, device.name(), offset));
  }
  if (offset % align != 0 || length % align != 0) {
    throw IoError(fmt::format(
        "{} of {} bytes at offset {} on {} refused: offset and length must be multiples of {} "
        "(no read-modify-write, which could tear a neighbouring block)",
        what, length, offset, device.name(), align));
  }
  if (offset > std::numeric_limits<std::uint64_t>::max() - length ||
      offset + length > device.size()) {
    throw IoError(
        fmt::format("{} of {} bytes at offset {} on {} refused: past the end of the "
                    "device ({} bytes)",
                    what, length, offset, device.name(), device.size()));
  }
}

}  // namespace poolha::io

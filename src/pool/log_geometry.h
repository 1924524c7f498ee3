// Where the metadata log lives: a fixed-size byte area on the heartbeat SR,
// split into two equal halves that hold the same records at the same
// offsets. Records start on block boundaries so every write is whole blocks
// (O_DIRECT friendly, and a torn write never touches an earlier record).
#pragma once

#include <cstdint>

namespace poolha::pool {

struct LogGeometry {
  std::uint64_t area_size = 0;     // bytes; e.g. 4..64 MiB
  std::uint32_t block_size = 512;  // record alignment; a power of two, 64..1 MiB

  std::uint64_t half_size() const { return area_size / 2; }
  // Byte offset of half 0 or 1 within the area.
  std::uint64_t half_start(int half) const { return half == 0 ? 0 : half_size(); }

  friend bool operator==(const LogGeometry&, const LogGeometry&) = default;
};

// Block size a power of two in 64..1 MiB; each half a whole number of blocks,
// at least two.
bool is_valid(const LogGeometry& geometry);

}  // namespace poolha::pool

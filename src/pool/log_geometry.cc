#include "pool/log_geometry.h"

#include <bit>

namespace poolha::pool {

bool is_valid(const LogGeometry& geometry) {
  const std::uint64_t block = geometry.block_size;
  if (!std::has_single_bit(block) || block < 64 || block > (1u << 20)) return false;
  return geometry.area_size % (2 * block) == 0 && geometry.half_size() >= 2 * block;
}

}  // namespace poolha::pool

// CRC32C (Castagnoli), the checksum of every statefile region.
#pragma once

#include <cstdint>
#include <span>

namespace poolha::wire {
std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t seed = 0);
}

// Shared by the fuzz targets and the seed generator.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "wire/crc32c.h"
#include "wire/heartbeat.h"
#include "wire/hmac.h"

namespace poolha::fuzz {

// The seeds are signed with this key, so the fuzzer starts past the MAC check.
inline constexpr std::array<std::uint8_t, 16> kSecret = {
    0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15, 0xf3, 0x9c, 0xc0, 0x60, 0x5c, 0xed, 0xc8, 0x34};

// Offset of the u32 length in every wire structure's header.
inline constexpr std::size_t kLengthAt = 8;
inline constexpr std::size_t kHeaderSize = 12;

inline std::uint32_t load_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Replaces the trailing MAC of a would-be packet with the correct one, so
// mutations reach the field checks instead of dying at the MAC. Returns
// whether any byte changed.
inline bool resign(std::span<std::uint8_t> packet) {
  if (packet.size() < wire::kHmacSize) return false;
  const std::size_t at = packet.size() - wire::kHmacSize;
  const wire::Mac mac = wire::hmac_sha256(kSecret, packet.first(at));
  std::span<std::uint8_t> old = packet.subspan(at);
  if (std::equal(mac.begin(), mac.end(), old.begin())) return false;
  std::copy(mac.begin(), mac.end(), old.begin());
  return true;
}

// Same for a statefile region: rewrites the CRC where its declared length
// puts it, when that is inside the region.
inline bool recrc(std::span<std::uint8_t> region) {
  if (region.size() < kHeaderSize) return false;
  const std::size_t length = load_u32(region.data() + kLengthAt);
  if (length < kHeaderSize + 4 || length > region.size()) return false;
  const std::size_t at = length - 4;
  const std::uint32_t crc = wire::crc32c(region.first(at));
  if (load_u32(region.data() + at) == crc) return false;
  for (std::size_t i = 0; i < 4; ++i) region[at + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  return true;
}

// A re-encoding must reproduce the decoded bytes exactly: anything the
// decoder accepted but the encoder writes differently is a bug.
inline void require_same_prefix(std::span<const std::uint8_t> encoded,
                                std::span<const std::uint8_t> input, std::size_t length) {
  if (encoded.size() < length || input.size() < length ||
      !std::equal(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(length),
                  input.begin()))
    std::abort();
}

}  // namespace poolha::fuzz

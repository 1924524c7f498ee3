// HMAC-SHA256 through OpenSSL, and a constant-time comparison.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace poolha::wire {
using Mac = std::array<std::uint8_t, 32>;
Mac hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);
bool mac_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
}  // namespace poolha::wire

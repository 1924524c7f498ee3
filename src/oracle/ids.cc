#include "oracle/ids.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "common/hex.h"

namespace poolha::oracle {

namespace {

bool is_uuid_dash_position(std::size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

}  // namespace

std::optional<std::string> parse_vm_id(std::string_view text) {
  if (text.size() != kVmIdLength) return std::nullopt;
  std::string canonical(text);
  for (std::size_t i = 0; i < canonical.size(); ++i) {
    char& c = canonical[i];
    if (is_uuid_dash_position(i)) {
      if (c != '-') return std::nullopt;
      continue;
    }
    if (hex_digit_value(c) < 0) return std::nullopt;
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return canonical;
}

bool BootId::is_zero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::string BootId::hex() const {
  std::string out;
  out.reserve(2 * bytes.size());
  for (std::uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

std::optional<BootId> parse_boot_id(std::string_view hex) {
  BootId id;
  if (hex.size() != 2 * id.bytes.size()) return std::nullopt;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) {
    const int high = hex_digit_value(hex[2 * i]);
    const int low = hex_digit_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    id.bytes[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  if (id.is_zero()) return std::nullopt;
  return id;
}

BootId random_boot_id() {
  // std::random_device reads the kernel's random source on Linux: two hosts
  // starting the same VM at the same instant still pick different ids.
  std::random_device source;
  BootId id;
  do {
    for (std::size_t i = 0; i < id.bytes.size(); i += 4) {
      const std::uint32_t word = source();
      for (std::size_t k = 0; k < 4; ++k)
        id.bytes[i + k] = static_cast<std::uint8_t>(word >> (8 * k));
    }
  } while (id.is_zero());
  return id;
}

}  // namespace poolha::oracle

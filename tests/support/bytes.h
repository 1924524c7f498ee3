// Test inputs written as text, handed to code that takes bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace poolha::test_support {

inline std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace poolha::test_support

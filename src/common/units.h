// Byte sizes, so memory figures read as 4 * kGiB rather than 4294967296.
#pragma once

#include <cstdint>

namespace poolha {

inline constexpr std::uint64_t kKiB = std::uint64_t{1} << 10;
inline constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
inline constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

}  // namespace poolha

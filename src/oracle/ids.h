// The two identities a disk record carries: the VM it belongs to (the pool's
// VM UUID) and the boot that wrote it (random per start of the writer), so the
// oracle can tell two runs of one VM apart without trusting any clock or host.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace poolha::oracle {

// A VM UUID in canonical form: 36 characters, lowercase hex digits and dashes
// at positions 8, 13, 18 and 23.
inline constexpr std::size_t kVmIdLength = 36;

// The canonical (lowercased) form of `text`, or nothing when it is not a UUID.
std::optional<std::string> parse_vm_id(std::string_view text);

// 128 random bits chosen by the writer when it starts; never all zero.
struct BootId {
  std::array<std::uint8_t, 16> bytes{};

  bool is_zero() const;
  // 32 lowercase hex digits.
  std::string hex() const;
  friend auto operator<=>(const BootId&, const BootId&) = default;
};

// From 32 hex digits (either case); nothing for anything else or all zeros.
std::optional<BootId> parse_boot_id(std::string_view hex);

// A fresh boot id from the system's random source.
BootId random_boot_id();

}  // namespace poolha::oracle

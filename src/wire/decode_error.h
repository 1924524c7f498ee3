// Decoders return a value or one of these errors; they never throw or crash on
// malformed input.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

namespace poolha::wire {

enum class DecodeError : std::uint8_t {
  kTooShort,       // fewer bytes than the fixed header or the declared length
  kBadMagic,       // not a poolha structure
  kBadVersion,     // a version this build does not speak
  kBadLength,      // declared length disagrees with the buffer or the layout
  kBadChecksum,    // CRC32C mismatch (statefile)
  kBadMac,         // HMAC-SHA256 mismatch (heartbeat)
  kBadField,       // a field outside its range (phase, host index, flags, ...)
  kEmpty,          // an all-zero region: never written
};

std::string_view to_string(DecodeError e);

template <typename T>
class Decoded {
 public:
  Decoded(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Decoded(DecodeError e) : v_(e) {}           // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<T>(v_); }
  T& value() { return std::get<T>(v_); }
  DecodeError error() const { return std::get<DecodeError>(v_); }

 private:
  std::variant<T, DecodeError> v_;
};

}  // namespace poolha::wire

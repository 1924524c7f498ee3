#include "wire/decode_error.h"

namespace poolha::wire {

std::string_view to_string(DecodeError e) {
  switch (e) {
    case DecodeError::kTooShort:
      return "too short";
    case DecodeError::kBadMagic:
      return "bad magic";
    case DecodeError::kBadVersion:
      return "bad version";
    case DecodeError::kBadLength:
      return "bad length";
    case DecodeError::kBadChecksum:
      return "bad checksum";
    case DecodeError::kBadMac:
      return "bad MAC";
    case DecodeError::kBadField:
      return "bad field";
    case DecodeError::kEmpty:
      return "empty";
  }
  return "unknown decode error";
}

}  // namespace poolha::wire

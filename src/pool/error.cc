#include "pool/error.h"

namespace poolha::pool {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidValue:
      return "invalid value";
    case ErrorCode::kUnknownUuid:
      return "unknown uuid";
    case ErrorCode::kDanglingReference:
      return "dangling reference";
    case ErrorCode::kStillReferenced:
      return "still referenced";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kNotMaster:
      return "not master";
    case ErrorCode::kAreaTooSmall:
      return "metadata area too small";
  }
  return "unknown error";
}

std::string Error::message() const {
  std::string text(to_string(code));
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  return text;
}

}  // namespace poolha::pool

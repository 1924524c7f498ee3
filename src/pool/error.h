// Every fallible operation on the pool database returns a value or one of
// these errors; bad input (an operator command, a decoded record) never aborts
// the process. Broken invariants do, through POOLHA_CHECK.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/check.h"

namespace poolha::pool {

enum class ErrorCode : std::uint8_t {
  kInvalidValue,       // a field outside its range or format
  kUnknownUuid,        // the record to change or remove does not exist
  kDanglingReference,  // a field names a host or SR that does not exist (or is unsuitable)
  kStillReferenced,    // the record is in use: resident VMs, the master, a statefile SR
  kMalformed,          // text that is not a valid encoding of the expected value
  kNotMaster,          // the writer's host is no longer the pool master
  kAreaTooSmall,       // a database snapshot does not fit in one half of the metadata area
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string detail;  // names the field or record, for the operator

  // "<code>: <detail>"
  std::string message() const;
};

class [[nodiscard]] Status {
 public:
  Status() = default;                                // success
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    POOLHA_CHECK(error_.has_value(), "error() of a successful status");
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    POOLHA_CHECK(ok(), "value() of a failed result");
    return std::get<T>(v_);
  }
  T& value() & {
    POOLHA_CHECK(ok(), "value() of a failed result");
    return std::get<T>(v_);
  }
  T&& value() && {
    POOLHA_CHECK(ok(), "value() of a failed result");
    return std::get<T>(std::move(v_));
  }
  const Error& error() const {
    POOLHA_CHECK(!ok(), "error() of a successful result");
    return std::get<Error>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

}  // namespace poolha::pool

// The error real I/O reports when it cannot do what was asked: a socket that
// cannot be bound, a device that cannot be opened or refuses a request. The
// message says what was attempted and why it failed, so it can be shown to an
// operator as is.
#pragma once

#include <stdexcept>

namespace poolha::io {

class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace poolha::io

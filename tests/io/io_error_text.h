// The message of the IoError an I/O call throws, or "no error": tests assert
// on what an operator would read.
#pragma once

#include <string>

#include "io/io_error.h"

namespace poolha::io::testing {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace poolha::io::testing

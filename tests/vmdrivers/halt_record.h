// What a driver test records from a driver's halt listener: which VM halted
// and why.
#pragma once

#include <string>

#include "vm/vm_driver.h"

namespace poolha::vm::testing {

struct Halt {
  std::string uuid;
  HaltCause cause;
  bool operator==(const Halt&) const = default;
};

}  // namespace poolha::vm::testing

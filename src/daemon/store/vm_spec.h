// The `--vm` argument of `poolha pool-create`:
// "name=web,memory-mib=256,priority=restart,order=1". name and memory-mib are
// required; priority is restart, best-effort or none (default none); order
// defaults to 0.
#pragma once

#include <stdexcept>
#include <string_view>

#include "daemon/store/pool_create.h"

namespace poolha::daemon {

class VmSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws VmSpecError naming the key and what is wrong.
NewVm parse_vm_spec(std::string_view text);

}  // namespace poolha::daemon

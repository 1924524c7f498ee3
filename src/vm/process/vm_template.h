// Per-VM text from a configured template: a command-line argument, a disk
// path or a kernel command line may name the VM it is for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vm/vm_driver.h"

namespace poolha::vm {

// The VM's memory in MiB, rounded up; `fallback_mib` when the VM names none.
std::uint64_t memory_mib(const VmConfig& vm, std::uint64_t fallback_mib = 0);

// Replaces {uuid}, {name} and {memory_mib} with the VM's values; "{{" and
// "}}" stand for literal braces. Throws std::invalid_argument naming any
// other placeholder or an unmatched brace, so a typo in a configuration
// fails the start loudly instead of running a VM with a wrong argument.
std::string expand_vm_template(std::string_view pattern, const VmConfig& vm);

}  // namespace poolha::vm

// The real environment of one host, built from its configuration: the
// fencer and the VM driver (the heartbeat SR device: daemon/store). Each choice is made
// here once, from the file, and every failure says which key to look at;
// nothing falls back silently to something the operator did not configure.
#pragma once

#include <memory>

#include <asio/io_context.hpp>

#include "daemon/config.h"
#include "fence/watchdog.h"
#include "vm/process_registry.h"
#include "vm/vm_driver.h"

namespace poolha::daemon {

// The process fencer's client or the kernel watchdog device, as
// [fencing] kind says. Opening does not arm anything.
std::unique_ptr<fence::Watchdog> make_fencer(const DaemonConfig& config);

// Where the VM drivers record each VM's process group, for the process
// fencer to kill (`poolha fencer --vm-registry`).
std::filesystem::path vm_registry_dir(const DaemonConfig& config);

// The process, qemu or libvirt driver, as [vm] driver says. `registry`
// (process and qemu) must outlive the driver.
std::unique_ptr<vm::VmDriver> make_vm_driver(const DaemonConfig& config, asio::io_context& io,
                                             vm::VmProcessRegistry& registry);

}  // namespace poolha::daemon

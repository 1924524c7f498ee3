// The hypervisor of one host, as the HA layer sees it: start a VM, stop it,
// list what runs, and learn when a VM halts by itself. Every environment
// (simulator, a process per VM, libvirt/QEMU) implements this one interface.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace poolha::vm {

struct VmConfig {
  std::string uuid;
  std::string name;
  std::uint64_t memory = 0;  // bytes
};

struct VmResult {
  bool ok = false;
  std::string error;  // empty when ok
};

enum class HaltCause {
  kGuestShutdown,  // the guest powered itself off
  kGuestCrash,     // the guest crashed and its domain was destroyed
};

class VmDriver {
 public:
  using Done = std::function<void(VmResult)>;
  using HaltListener = std::function<void(const std::string& uuid, HaltCause)>;

  virtual ~VmDriver() = default;

  // `done` runs later from the owner's event loop, never inside the call.
  virtual void start(const VmConfig& vm, Done done) = 0;
  virtual void stop(const std::string& uuid, Done done) = 0;
  // VMs whose domain exists on this host (booting ones included).
  virtual std::vector<std::string> running() const = 0;
  virtual void set_halt_listener(HaltListener listener) = 0;
};

}  // namespace poolha::vm

// A VM as the database records it, and the HA questions asked about it.
#pragma once

#include <cstdint>
#include <string>

#include "pool/power_state.h"
#include "pool/restart_priority.h"

namespace poolha::pool {

struct Vm {
  std::string uuid;
  std::string name_label;
  PowerState power_state = PowerState::kHalted;
  // Host running (or holding the paused domain of) the VM; empty unless Running or Paused.
  std::string resident_on;
  // xapi's scheduled_to_be_resident_on: the host a start is on its way to,
  // whose memory is promised to the VM until the start reports back. Empty
  // when no start is pending, and always once the VM is Running or Paused.
  std::string scheduled_to_be_resident_on;
  std::int64_t memory_static_max = 0;  // bytes; what the planner reserves for the VM
  RestartPriority ha_restart_priority = RestartPriority::kUnprotected;
  std::int64_t order = 0;        // restart group; negative values go last (as xapi)
  std::int64_t start_delay = 0;  // seconds to wait after starting it before the next group
  bool ha_always_run = false;    // set by a start through the API, cleared by an API shutdown
  bool agile = false;            // every disk on a shared SR: can restart on any host

  friend bool operator==(const Vm&, const Vm&) = default;
};

// HA restarts it whenever it is down: xapi's `ha_always_run && priority = restart`.
inline bool is_protected(const Vm& vm) {
  return vm.ha_always_run && vm.ha_restart_priority == RestartPriority::kRestart;
}

// Its memory is taken from resident_on's free memory.
inline bool occupies_host_memory(const Vm& vm) {
  return !vm.resident_on.empty() && vm.power_state != PowerState::kHalted;
}

// The host whose free memory the VM takes: where it resides, else where a
// start is taking it (that memory is promised, as in xapi); empty for none.
// A VM never holds two hosts: a scheduled VM has no domain yet.
inline const std::string& memory_host(const Vm& vm) {
  return occupies_host_memory(vm) ? vm.resident_on : vm.scheduled_to_be_resident_on;
}

}  // namespace poolha::pool

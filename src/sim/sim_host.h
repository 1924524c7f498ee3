// Everything the simulator knows about one host: its power state, the engine
// running on it (absent while off), its clocks, its watchdog, and what it last
// told the world. The engine itself never sees any of this.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/host_set.h"
#include "ha/engine.h"
#include "sim/host_clock.h"
#include "sim/scenario.h"
#include "sim/storage.h"
#include "sim/virtual_time.h"

namespace poolha::sim {

enum class Power {
  kOff,      // powered off (or never powered on)
  kRunning,  // the daemon runs and receives every input
  kHung,     // the daemon is stopped (SIGSTOP-like): no inputs, no outputs
  kFenced,   // reset by a fence; reboots after the scenario's delay
};
std::string_view to_string(Power p);

struct SimHost {
  HostIndex index = 0;
  Power power = Power::kOff;
  std::unique_ptr<ha::Engine> engine;
  std::uint32_t incarnation = 0;  // 0 until the first power-on
  HostClock clock;                // local monotonic clock, restarts at boot
  Duration wall_offset{};         // wall clock minus virtual time; engines never read it
  IsolationSetting isolation = IsolationSetting::kAuto;
  bool isolation_told = false;  // what the engine was last told

  VirtualTime hung_until{};
  std::uint64_t hang_token = 0;
  std::vector<StorageCompletion> held;  // completions that arrived while hung

  bool watchdog_armed = false;
  VirtualTime watchdog_deadline{};
  bool watchdog_event_pending = false;

  bool tick_pending = false;
  VirtualTime tick_at{};
  std::uint64_t tick_token = 0;
  // Detects an engine that keeps asking to be ticked again at the same instant.
  VirtualTime busy_at{};
  std::uint32_t busy_ticks = 0;
  bool spinning = false;  // reported; its immediate wake-ups are spaced 1 ms apart

  std::uint64_t reboot_token = 0;

  // Cached from the engine after every call, for cheap invariant checks.
  bool is_master = false;
  wire::Phase phase = wire::Phase::kBooting;
  wire::Membership announced;  // last liveset this incarnation announced
  HostSet shown_hb, shown_sf;  // last view printed in the timeline

  bool alive() const { return power == Power::kRunning || power == Power::kHung; }
  bool running() const { return power == Power::kRunning; }
};

}  // namespace poolha::sim

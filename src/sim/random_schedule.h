// Random fault schedules for sweeps: from (seed, pool size, T) a Scenario
// that enables HA, injects a mix of every fault kind the simulator has, heals
// everything, lets the pool settle, and checks that the survivors agree.
#pragma once

#include <cstdint>

#include "common/time.h"
#include "sim/scenario.h"

namespace poolha::sim {

struct RandomParams {
  std::uint64_t seed = 1;
  std::uint16_t hosts = 3;
  Duration timeout = 30s;
  // VMs spread over the hosts, with random priorities, orders and delays,
  // plus VM faults (guest halts and crashes, API shutdowns and starts,
  // failing starts). 0: membership only. The membership part of a schedule
  // does not depend on this number.
  std::uint32_t vms = 0;
};

Scenario make_random_scenario(const RandomParams& params);

}  // namespace poolha::sim

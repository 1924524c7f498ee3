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
};

Scenario make_random_scenario(const RandomParams& params);

}  // namespace poolha::sim

// Simulator speed for the report, measured in-process: a random fault
// sweep as `poolha sim --random` runs it (every invariant checked at every
// step) on every core, and bench-sim's steady 16-host pool on one thread.
#pragma once

#include <vector>

#include "benchpool/report.h"

namespace poolha::benchpool {

// The sweep covers seeds 1..200 (1..20 when `quick`) of 5 hosts and 40
// VMs at T = 30 s; the steady pool runs 600 simulated seconds (120 when
// `quick`).
std::vector<SimRow> measure_sim_speed(bool quick);

}  // namespace poolha::benchpool

// Planner timings for the report: the first table of `bench-planner`
// (bench/planner/bench_planner.cc), measured in-process. The pools come
// from bench-planner's own generator (bench/planner/pool_generator.cc,
// compiled into this library) with its seed and in its order, so the pools
// timed here are the very pools bench-planner times.
#pragma once

#include <vector>

#include "benchpool/report.h"

namespace poolha::benchpool {

// 16 x 500, 64 x 5,000 and 256 x 20,000 (hosts x VMs), each timed as the
// best of bench-planner's number of runs, or of one run when `quick`.
std::vector<PlannerRow> time_planner(bool quick);

}  // namespace poolha::benchpool

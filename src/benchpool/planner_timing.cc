// Timing the admission-control planner on bench-planner's pools
// (planner_timing.h).
#include "benchpool/planner_timing.h"

#include <chrono>
#include <cstdint>

#include "best_wall_time.h"
#include "planner/planner.h"
#include "pool_generator.h"

namespace poolha::benchpool {
namespace {

// bench_planner.cc's seed: the same seed gives the same pools.
constexpr std::uint64_t kPlannerBenchSeed = 20240611;

using bench::best_milliseconds;

}  // namespace

std::vector<PlannerRow> time_planner(bool quick) {
  struct Size {
    std::uint32_t hosts;
    std::uint32_t vms;
    int runs;
  };
  std::vector<PlannerRow> rows;
  // Drawn in bench-planner's order, so each pool matches its pool.
  bench::BenchRandom seeds(kPlannerBenchSeed);
  for (const Size& size : {Size{16, 500, 20}, Size{64, 5'000, 10}, Size{256, 20'000, 5}}) {
    const auto fill_percent = static_cast<std::uint32_t>(seeds.between(62, 73));
    const bench::GeneratedPool pool = bench::generate_pool_with_vm_count(
        size.hosts, size.vms, fill_percent, seeds.between(1, ~0ULL >> 1));
    PlannerRow row;
    row.hosts = size.hosts;
    row.vms = pool.shape.vms.size();
    row.fill_percent = 100 * pool.fill();
    row.runs = quick ? 1 : size.runs;
    std::uint32_t tolerated = 0;
    row.max_failures_ms = best_milliseconds(
        row.runs, [&] { tolerated = planner::max_host_failures_to_tolerate(pool.shape); });
    row.tolerated = tolerated;
    row.would_break_ms = best_milliseconds(
        row.runs, [&] { (void)planner::would_break_plan(pool.shape, tolerated); });
    rows.push_back(row);
  }
  return rows;
}

}  // namespace poolha::benchpool

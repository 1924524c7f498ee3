// Admission-control planner benchmark.
//
//   ninja -C build bench-planner
//
// (or run build/bench/planner/poolha_bench_planner directly). Prints:
//  1. the wall time of max_host_failures_to_tolerate, and of one admission
//     check (would_break_plan), on pools of 16 x 500, 64 x 5,000 and
//     256 x 20,000 (hosts x VMs; hosts 256-1024 GiB, VMs 1-64 GiB, 60-75 %
//     full), best of several runs on one core;
//  2. on reference shapes (equal, spread and skewed VM sizes on uniform and
//     mixed hosts, 4 to 64 hosts), the failures tolerated by the planner (and
//     how it proved them), by the any-fit bound alone, by xapi's approximation
//     (xapi_approximation.h) and, where it finishes, by exhaustive search.
// Every pool comes from a fixed seed, so the numbers other than times are the
// same on every run.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "best_wall_time.h"
#include "exhaustive_reference.h"
#include "planner/planner.h"
#include "pool_generator.h"
#include "sampled_upper_bound.h"
#include "xapi_approximation.h"

namespace poolha::bench {
namespace {

constexpr std::uint64_t kSeed = 20240611;
constexpr std::uint64_t kExhaustiveStates = 3'000'000;

const char* describe(planner::Proof proof) {
  switch (proof) {
    case planner::Proof::kExhaustive:
      return "exhaustive";
    case planner::Proof::kBound:
      return "bound";
    case planner::Proof::kNone:
      return "none";
  }
  return "?";
}

// How the planner showed that `tolerated` failures are covered.
std::string proof_of(const planner::PoolShape& shape, std::uint32_t tolerated) {
  if (tolerated == 0) return "-";
  return describe(planner::plan_exists_for(shape, tolerated).proof);
}

void print_timings() {
  struct Size {
    std::uint32_t hosts;
    std::uint32_t vms;
    int runs;
  };
  std::printf("1. Wall time (best of several runs, one core)\n\n");
  std::printf("%6s %7s %6s %10s %11s %6s %16s %16s\n", "hosts", "VMs", "fill", "tolerated", "proof",
              "xapi", "max_failures ms", "would_break ms");
  BenchRandom seeds(kSeed);
  for (const Size& size : {Size{16, 500, 20}, Size{64, 5'000, 10}, Size{256, 20'000, 5}}) {
    const auto fill_percent = static_cast<std::uint32_t>(seeds.between(62, 73));
    const GeneratedPool pool = generate_pool_with_vm_count(size.hosts, size.vms, fill_percent,
                                                           seeds.between(1, ~0ULL >> 1));
    std::uint32_t tolerated = 0;
    const double max_ms = best_milliseconds(
        size.runs, [&] { tolerated = planner::max_host_failures_to_tolerate(pool.shape); });
    bool refused = false;
    const double check_ms = best_milliseconds(
        size.runs, [&] { refused = planner::would_break_plan(pool.shape, tolerated); });
    if (refused) std::printf("unexpected: the pool's own plan is refused\n");
    std::printf("%6u %7zu %5.1f%% %10u %11s %6u %16.1f %16.1f\n", size.hosts, pool.shape.vms.size(),
                100 * pool.fill(), tolerated, proof_of(pool.shape, tolerated).c_str(),
                xapi_approximate_max_failures(pool.shape), max_ms, check_ms);
  }
  std::printf("\n");
}

void print_reference_table() {
  std::printf("2. Failures tolerated on reference shapes\n");
  std::printf("   planner: max_host_failures_to_tolerate (proof of that count); bound: the\n");
  std::printf("   any-fit bound alone; xapi: xapi's approximation; exhaustive: every\n");
  std::printf("   assignment for every failure set, up to 16 hosts; beyond, '<= k' when some\n");
  std::printf("   sampled set of k + 1 failed hosts has no placement at all\n\n");
  std::printf("%6s %8s %7s %6s %6s %17s %6s %6s %11s %11s\n", "hosts", "host mem", "VM mem", "VMs",
              "fill", "planner", "bound", "xapi", "exhaustive", "planner ms");
  BenchRandom seeds(kSeed + 1);
  for (std::uint32_t hosts : {4U, 6U, 8U, 16U, 32U, 64U}) {
    for (HostSizes host_sizes : {HostSizes::kUniform, HostSizes::kMixed}) {
      for (VmSizes vm_sizes :
           {VmSizes::kEqual, VmSizes::kSpread, VmSizes::kSkewed, VmSizes::kLarge}) {
        const auto fill_percent = static_cast<std::uint32_t>(seeds.between(60, 72));
        const GeneratedPool pool =
            generate_pool(hosts, host_sizes, vm_sizes, fill_percent, seeds.between(1, ~0ULL >> 1));
        std::uint32_t tolerated = 0;
        const double ms = best_milliseconds(
            3, [&] { tolerated = planner::max_host_failures_to_tolerate(pool.shape); });
        const std::uint32_t bound = planner::max_host_failures_to_tolerate(
            pool.shape, planner::PlannerBudget{.max_failure_sets = 0, .max_search_nodes = 0});
        std::string exhaustive = "-";
        if (hosts <= 16) {
          if (std::optional<std::uint32_t> truth =
                  exhaustive_max_failures(pool.shape, kExhaustiveStates)) {
            exhaustive = std::to_string(*truth);
          }
        } else if (std::optional<std::uint32_t> upper =
                       sampled_max_failures_upper_bound(pool.shape, tolerated + 1, 40)) {
          exhaustive = "<= " + std::to_string(*upper);
        }
        const std::string planner_column =
            std::to_string(tolerated) + " (" + proof_of(pool.shape, tolerated) + ")";
        std::printf("%6u %8s %7s %6zu %5.1f%% %17s %6u %6u %11s %11.2f\n", hosts,
                    describe(host_sizes).c_str(), describe(vm_sizes).c_str(), pool.shape.vms.size(),
                    100 * pool.fill(), planner_column.c_str(), bound,
                    xapi_approximate_max_failures(pool.shape), exhaustive.c_str(), ms);
      }
    }
  }
}

}  // namespace
}  // namespace poolha::bench

int main() {
  poolha::bench::print_timings();
  poolha::bench::print_reference_table();
  return 0;
}

// Helpers shared by the planner tests: a reproducible random pool generator
// and brute-force answers that share no code with the planner.
#pragma once

#include <bit>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "planner/planner_budget.h"
#include "planner/pool_shape.h"

namespace poolha::planner::testing {

// Answers from the bound alone, with no search: what the planner falls back
// to beyond its budget.
inline constexpr PlannerBudget kBoundOnly{.max_failure_sets = 0, .max_search_nodes = 0};

// std::mt19937_64 produces the same sequence everywhere; the mapping to a
// range is done here because std:: distributions differ between libraries.
class TestRandom {
 public:
  explicit TestRandom(std::uint64_t seed) : engine_(seed) {}
  // Uniform-ish in [lo, hi]; the modulo bias is irrelevant for tests.
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
    return lo + engine_() % (hi - lo + 1);
  }

 private:
  std::mt19937_64 engine_;
};

// Small pools with numbers close together, so ties and tight fits are common.
// A quarter have one VM much larger than the rest; a third are "coarse": VMs
// between a quarter and a half of the spare, where first fit often fails and
// only the exact search finds the plan.
inline PoolShape random_small_pool(TestRandom& random, std::uint32_t max_hosts,
                                   std::uint32_t max_vms) {
  PoolShape shape;
  const auto hosts = static_cast<std::uint32_t>(random.between(1, max_hosts));
  const bool coarse = random.between(0, 2) == 0;
  const std::uint64_t spare_top = coarse ? random.between(10, 24) : random.between(4, 40);
  const std::uint64_t spare_bottom = coarse ? spare_top / 2 : 0;
  for (std::uint32_t h = 0; h < hosts; ++h) {
    shape.host_free.push_back(random.between(spare_bottom, spare_top));
  }
  const auto vms = static_cast<std::uint32_t>(random.between(0, max_vms));
  const std::uint64_t size_top = coarse ? spare_top / 2 + 1 : random.between(1, 20);
  const std::uint64_t size_bottom = coarse ? spare_top / 4 : 1;
  const bool skewed = !coarse && random.between(0, 3) == 0;
  for (std::uint32_t v = 0; v < vms; ++v) {
    Bytes memory = random.between(size_bottom, size_top);
    if (skewed && v == 0) memory = random.between(spare_top / 2 + 1, spare_top + 1);
    shape.vms.push_back({memory, static_cast<std::uint32_t>(random.between(0, hosts - 1))});
  }
  return shape;
}

// Tries every assignment of sizes[next..] to hosts, only refusing a host
// without room.
inline bool brute_force_fits(std::vector<Bytes>& spare, std::span<const Bytes> sizes,
                             std::size_t next = 0) {
  if (next == sizes.size()) return true;
  for (Bytes& room : spare) {
    if (room < sizes[next]) continue;
    room -= sizes[next];
    const bool fits = brute_force_fits(spare, sizes, next + 1);
    room += sizes[next];
    if (fits) return true;
  }
  return false;
}

// Whether the VMs of the hosts in `failed_mask` fit on the other hosts.
inline bool brute_force_survives(const PoolShape& shape, std::uint32_t failed_mask) {
  std::vector<Bytes> spare;
  for (std::uint32_t h = 0; h < shape.host_free.size(); ++h) {
    if ((failed_mask >> h & 1U) == 0) spare.push_back(shape.host_free[h]);
  }
  std::vector<Bytes> sizes;
  for (const ProtectedVm& vm : shape.vms) {
    if ((failed_mask >> vm.host & 1U) != 0) sizes.push_back(vm.memory);
  }
  return brute_force_fits(spare, sizes);
}

// Ground truth for plan_exists_for on pools of at most 31 hosts.
inline bool brute_force_plan_exists(const PoolShape& shape, std::uint32_t failures) {
  const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
  if (failures == 0) return true;
  if (failures >= hosts) return false;
  for (std::uint32_t mask = 0; mask < (1U << hosts); ++mask) {
    if (static_cast<std::uint32_t>(std::popcount(mask)) != failures) continue;
    if (!brute_force_survives(shape, mask)) return false;
  }
  return true;
}

inline std::uint32_t brute_force_max_failures(const PoolShape& shape) {
  std::uint32_t best = 0;
  for (std::uint32_t k = 1; k < shape.host_free.size(); ++k) {
    if (brute_force_plan_exists(shape, k)) best = k;
  }
  return best;
}

}  // namespace poolha::planner::testing

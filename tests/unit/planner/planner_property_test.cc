// Random pools against brute force. Fixed seeds, so a failure replays; the
// round number in the message identifies the pool.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <vector>

#include "planner/failure_plan.h"
#include "planner/restart_plan.h"
#include "planner_test_support.h"

namespace poolha::planner {
namespace {

using testing::brute_force_max_failures;
using testing::brute_force_plan_exists;
using testing::random_small_pool;
using testing::TestRandom;

constexpr int kRounds = 20000;
constexpr std::uint32_t kMaxHosts = 6;
constexpr std::uint32_t kMaxVms = 8;
using testing::kBoundOnly;

TEST(PlannerProperty, MatchesBruteForceOnTinyPools) {
  TestRandom random(0x5eed0003);
  int with_plan = 0;
  int without_plan = 0;
  for (int round = 0; round < kRounds; ++round) {
    const PoolShape shape = random_small_pool(random, kMaxHosts, kMaxVms);
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    for (std::uint32_t k = 0; k <= hosts; ++k) {
      const bool truth = brute_force_plan_exists(shape, k);
      const PlanCheck check = plan_exists_for(shape, k);
      // Soundness first, then exactness: with at most 6 hosts every failure
      // set fits the default budget.
      ASSERT_TRUE(!check.exists || truth) << "round " << round << " k " << k;
      ASSERT_EQ(check.exists, truth) << "round " << round << " k " << k;
      ASSERT_EQ(check.proof == Proof::kNone, !check.exists) << "round " << round << " k " << k;
      if (k > 0) ++(truth ? with_plan : without_plan);
    }
    ASSERT_EQ(max_host_failures_to_tolerate(shape), brute_force_max_failures(shape))
        << "round " << round;
  }
  EXPECT_GT(with_plan, 1000);
  EXPECT_GT(without_plan, 1000);
}

TEST(PlannerProperty, BoundOnlyNeverClaimsTooMuch) {
  TestRandom random(0x5eed0004);
  int proven = 0;
  for (int round = 0; round < kRounds; ++round) {
    const PoolShape shape = random_small_pool(random, kMaxHosts, kMaxVms);
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    for (std::uint32_t k = 1; k <= hosts; ++k) {
      const PlanCheck check = plan_exists_for(shape, k, kBoundOnly);
      if (!check.exists) continue;
      ASSERT_TRUE(brute_force_plan_exists(shape, k)) << "round " << round << " k " << k;
      if (!shape.vms.empty()) {
        ASSERT_EQ(check.proof, Proof::kBound);
        ++proven;
      }
    }
    ASSERT_LE(max_host_failures_to_tolerate(shape, kBoundOnly), brute_force_max_failures(shape))
        << "round " << round;
  }
  EXPECT_GT(proven, 1000);
}

TEST(PlannerProperty, StarvedSearchNeverClaimsTooMuch) {
  TestRandom random(0x5eed0005);
  for (int round = 0; round < kRounds; ++round) {
    const PoolShape shape = random_small_pool(random, kMaxHosts, kMaxVms);
    const PlannerBudget budget{.max_failure_sets = random.between(0, 20),
                               .max_search_nodes = random.between(0, 6)};
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    for (std::uint32_t k = 1; k <= hosts; ++k) {
      if (plan_exists_for(shape, k, budget).exists) {
        ASSERT_TRUE(brute_force_plan_exists(shape, k)) << "round " << round << " k " << k;
      }
    }
    ASSERT_LE(max_host_failures_to_tolerate(shape, budget), brute_force_max_failures(shape))
        << "round " << round;
  }
}

// With too small a set budget to check every failure set, only the sets the
// bound leaves open are checked; the answers must stay sound, and that path
// must prove plans the bound alone cannot.
TEST(PlannerProperty, OpenSetChecksNeverClaimTooMuch) {
  TestRandom random(0x5eed000b);
  int proven_beyond_bound = 0;
  for (int round = 0; round < kRounds; ++round) {
    const PoolShape shape = random_small_pool(random, kMaxHosts, kMaxVms);
    const PlannerBudget budget{.max_failure_sets = random.between(1, 5)};
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    for (std::uint32_t k = 1; k <= hosts; ++k) {
      if (!plan_exists_for(shape, k, budget).exists) continue;
      ASSERT_TRUE(brute_force_plan_exists(shape, k)) << "round " << round << " k " << k;
      if (!plan_exists_for(shape, k, kBoundOnly).exists) ++proven_beyond_bound;
    }
  }
  EXPECT_GT(proven_beyond_bound, 300);
}

// A plan for k failures is a plan for any k - 1 of them, and the planner's
// answers must say so too, for the exact path and for the bound alone.
TEST(PlannerProperty, PlanForKImpliesPlanForFewer) {
  TestRandom random(0x5eed0006);
  for (int round = 0; round < kRounds; ++round) {
    const PoolShape shape = random_small_pool(random, 8, 12);
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    for (const PlannerBudget& budget : {PlannerBudget{}, kBoundOnly}) {
      bool previous = true;  // k = 0
      for (std::uint32_t k = 1; k <= hosts; ++k) {
        const bool exists = plan_exists_for(shape, k, budget).exists;
        ASSERT_TRUE(previous || !exists) << "round " << round << " k " << k;
        previous = exists;
      }
    }
  }
}

TEST(PlannerProperty, MaxFailuresIsTheLastCountWithAPlan) {
  TestRandom random(0x5eed0007);
  for (int round = 0; round < kRounds; ++round) {
    const PoolShape shape = random_small_pool(random, 8, 12);
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    for (const PlannerBudget& budget : {PlannerBudget{}, kBoundOnly}) {
      const std::uint32_t tolerated = max_host_failures_to_tolerate(shape, budget);
      ASSERT_LT(tolerated, hosts) << "round " << round;
      ASSERT_TRUE(plan_exists_for(shape, tolerated, budget).exists) << "round " << round;
      ASSERT_FALSE(plan_exists_for(shape, tolerated + 1, budget).exists) << "round " << round;
      ASSERT_EQ(would_break_plan(shape, tolerated, budget), false) << "round " << round;
      ASSERT_EQ(would_break_plan(shape, tolerated + 1, budget), true) << "round " << round;
    }
  }
}

// What failover relies on: whenever the planner says k failures are covered,
// plan_restarts (same budget) returns a complete, valid plan for every failure
// set of up to k hosts. Checked on pools too big for brute force.
TEST(PlannerProperty, ClaimedPlansAreBuiltByPlanRestarts) {
  TestRandom random(0x5eed0008);
  int sets_checked = 0;
  for (int round = 0; round < 150; ++round) {
    PoolShape shape;
    const auto hosts = static_cast<std::uint32_t>(random.between(2, 11));
    for (std::uint32_t h = 0; h < hosts; ++h) shape.host_free.push_back(random.between(20, 120));
    const auto vms = random.between(0, 6 * hosts);
    for (std::uint64_t v = 0; v < vms; ++v) {
      const Bytes memory =
          random.between(0, 9) == 0 ? random.between(30, 90) : random.between(1, 24);
      shape.vms.push_back({memory, static_cast<std::uint32_t>(random.between(0, hosts - 1))});
    }
    const std::uint32_t tolerated = max_host_failures_to_tolerate(shape);
    for (std::uint32_t mask = 1; mask < (1U << hosts); ++mask) {
      if (static_cast<std::uint32_t>(std::popcount(mask)) > tolerated) continue;
      std::vector<Bytes> spare = shape.host_free;
      for (std::uint32_t h = 0; h < hosts; ++h) {
        if ((mask >> h & 1U) != 0) spare[h] = 0;
      }
      std::vector<Bytes> memory;
      for (const ProtectedVm& vm : shape.vms) {
        if ((mask >> vm.host & 1U) != 0) memory.push_back(vm.memory);
      }
      const RestartPlan plan = plan_restarts(spare, memory);
      ASSERT_TRUE(plan.complete()) << "round " << round << " mask " << mask;
      std::vector<Bytes> used(hosts, 0);
      for (std::size_t i = 0; i < memory.size(); ++i) used[*plan.host_of[i]] += memory[i];
      for (std::uint32_t h = 0; h < hosts; ++h) {
        ASSERT_LE(used[h], spare[h]) << "round " << round << " mask " << mask;
      }
      ++sets_checked;
    }
  }
  EXPECT_GT(sets_checked, 5000);
}

// Pools far beyond brute force, where the answer comes from the bound: the
// failure sets most likely to break it (the hosts with the most load plus
// spare) and many random ones must all be packed by first fit alone.
TEST(PlannerProperty, LargePoolClaimsHoldOnSampledFailureSets) {
  TestRandom random(0x5eed0009);
  constexpr Bytes kGiB = Bytes{1} << 30;
  for (int round = 0; round < 4; ++round) {
    PoolShape shape;
    const auto hosts = static_cast<std::uint32_t>(random.between(32, 96));
    std::vector<Bytes> weight;
    for (std::uint32_t h = 0; h < hosts; ++h) {
      shape.host_free.push_back(random.between(256, 1024) * kGiB);
    }
    weight = shape.host_free;
    for (std::uint32_t v = 0; v < 40 * hosts; ++v) {
      const Bytes memory = random.between(1024, 32 * 1024) * (Bytes{1} << 20);
      const auto host = static_cast<std::uint32_t>(random.between(0, hosts - 1));
      if (shape.host_free[host] < memory) continue;
      shape.host_free[host] -= memory;
      shape.vms.push_back({memory, host});
    }
    const std::uint32_t tolerated = max_host_failures_to_tolerate(shape);
    ASSERT_GT(tolerated, 0U) << "round " << round;

    std::vector<std::uint32_t> by_weight(hosts);
    for (std::uint32_t h = 0; h < hosts; ++h) by_weight[h] = h;
    std::sort(by_weight.begin(), by_weight.end(),
              [&](std::uint32_t a, std::uint32_t b) { return weight[a] > weight[b]; });
    for (int sample = 0; sample < 200; ++sample) {
      std::vector<bool> failed(hosts, false);
      for (std::uint32_t i = 0; i < tolerated; ++i) {
        failed[sample == 0 ? by_weight[i]
                           : static_cast<std::uint32_t>(random.between(0, hosts - 1))] = true;
      }
      std::vector<Bytes> spare = shape.host_free;
      std::vector<Bytes> memory;
      for (std::uint32_t h = 0; h < hosts; ++h) {
        if (failed[h]) spare[h] = 0;
      }
      for (const ProtectedVm& vm : shape.vms) {
        if (failed[vm.host]) memory.push_back(vm.memory);
      }
      const RestartPlan plan = plan_restarts(spare, memory, PlannerBudget{.max_search_nodes = 0});
      ASSERT_TRUE(plan.complete()) << "round " << round << " sample " << sample;
    }
  }
}

}  // namespace
}  // namespace poolha::planner

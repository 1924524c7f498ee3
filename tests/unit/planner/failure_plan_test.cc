#include "planner/failure_plan.h"

#include <gtest/gtest.h>

#include "planner_test_support.h"

namespace poolha::planner {
namespace {

// Bound-only planning: no failure set may be enumerated.
using testing::kBoundOnly;

TEST(PlannerFailurePlan, ZeroFailuresAlwaysHasAPlan) {
  const PoolShape overfull{{0, 0}, {{8, 0}, {8, 1}}};
  EXPECT_TRUE(plan_exists_for(overfull, 0).exists);
  EXPECT_TRUE(plan_exists_for(PoolShape{}, 0).exists);
}

TEST(PlannerFailurePlan, SomeHostMustSurvive) {
  const PoolShape shape{{10, 10, 10}, {{1, 0}}};
  EXPECT_FALSE(plan_exists_for(shape, 3).exists);
  EXPECT_FALSE(plan_exists_for(shape, 7).exists);
  EXPECT_EQ(plan_exists_for(shape, 3).proof, Proof::kNone);
  const PoolShape no_vms{{10, 10, 10}, {}};
  EXPECT_TRUE(plan_exists_for(no_vms, 2).exists);
  EXPECT_FALSE(plan_exists_for(no_vms, 3).exists);
}

TEST(PlannerFailurePlan, PoolWithoutVmsToleratesAllButOneHost) {
  EXPECT_EQ(max_host_failures_to_tolerate(PoolShape{}), 0U);
  EXPECT_EQ(max_host_failures_to_tolerate(PoolShape{{0}, {}}), 0U);
  EXPECT_EQ(max_host_failures_to_tolerate(PoolShape{{0, 0, 0, 0}, {}}), 3U);
}

TEST(PlannerFailurePlan, SingleHostWithVmsToleratesNothing) {
  const PoolShape shape{{1000}, {{1, 0}}};
  EXPECT_EQ(max_host_failures_to_tolerate(shape), 0U);
  EXPECT_FALSE(plan_exists_for(shape, 1).exists);
}

TEST(PlannerFailurePlan, TwoHostsCoveringEachOther) {
  // Each host can take the other's VMs, but not more.
  const PoolShape shape{{6, 6}, {{3, 0}, {3, 0}, {2, 1}, {4, 1}}};
  EXPECT_TRUE(plan_exists_for(shape, 1).exists);
  EXPECT_EQ(max_host_failures_to_tolerate(shape), 1U);
}

TEST(PlannerFailurePlan, OneFailureWithoutRoomHasNoPlan) {
  const PoolShape shape{{4, 4, 4}, {{5, 0}}};
  const PlanCheck check = plan_exists_for(shape, 1);
  EXPECT_FALSE(check.exists);
  EXPECT_EQ(check.proof, Proof::kNone);
  EXPECT_EQ(max_host_failures_to_tolerate(shape), 0U);
}

TEST(PlannerFailurePlan, ExhaustiveCheckFindsWhatTheBoundMisses) {
  // Host 0's VMs (5, 4, 3, 3, 3, 2) fit hosts 1 and 2 only as {5,3,2} and
  // {4,3,3}: first fit decreasing fails, so the bound cannot cover this
  // failure; the exact search finds the packing. Hosts 1 and 2 run nothing.
  const PoolShape shape{{0, 10, 10}, {{5, 0}, {4, 0}, {3, 0}, {3, 0}, {3, 0}, {2, 0}}};
  EXPECT_FALSE(plan_exists_for(shape, 1, kBoundOnly).exists);
  const PlanCheck check = plan_exists_for(shape, 1);
  EXPECT_TRUE(check.exists);
  EXPECT_EQ(check.proof, Proof::kExhaustive);
  EXPECT_EQ(max_host_failures_to_tolerate(shape), 1U);
  EXPECT_EQ(max_host_failures_to_tolerate(shape, kBoundOnly), 0U);
}

TEST(PlannerFailurePlan, SetsTheBoundLeavesOpenAreCheckedOneByOne) {
  // Same pool, but only one failure set may be checked: too few for all three
  // single failures, enough for the one the bound leaves open (host 0).
  const PoolShape shape{{0, 10, 10}, {{5, 0}, {4, 0}, {3, 0}, {3, 0}, {3, 0}, {2, 0}}};
  const PlannerBudget one_set{.max_failure_sets = 1};
  const PlanCheck check = plan_exists_for(shape, 1, one_set);
  EXPECT_TRUE(check.exists);
  EXPECT_EQ(check.proof, Proof::kBound);
  EXPECT_EQ(max_host_failures_to_tolerate(shape, one_set), 1U);
}

TEST(PlannerFailurePlan, SkewedPoolIsCoveredByTheBound) {
  // One 90 GiB VM on host 0, ten 5 GiB VMs on each of hosts 1-3, 100 spare
  // everywhere: two failures are fine whichever hosts fail.
  PoolShape shape{{100, 100, 100, 100}, {{90, 0}}};
  for (std::uint32_t h = 1; h <= 3; ++h) {
    for (int i = 0; i < 10; ++i) shape.vms.push_back({5, h});
  }
  const PlanCheck check = plan_exists_for(shape, 2, kBoundOnly);
  EXPECT_TRUE(check.exists);
  EXPECT_EQ(check.proof, Proof::kBound);
  EXPECT_FALSE(plan_exists_for(shape, 3).exists);
  EXPECT_EQ(max_host_failures_to_tolerate(shape), 2U);
}

TEST(PlannerFailurePlan, OutOfSearchBudgetMeansNoPlan) {
  const PoolShape shape{{0, 10, 10}, {{5, 0}, {4, 0}, {3, 0}, {3, 0}, {3, 0}, {2, 0}}};
  const PlanCheck check = plan_exists_for(shape, 1, PlannerBudget{.max_search_nodes = 3});
  EXPECT_FALSE(check.exists);
  EXPECT_EQ(check.proof, Proof::kNone);
}

TEST(PlannerFailurePlan, WouldBreakPlanOnlyWhenThePlannedCountIsLost) {
  // Hosts 0 and 1 run a 6 GiB VM each and cover each other with 8 spare;
  // host 2 has only 2 spare. One failure is covered, two are not.
  const PoolShape before{{8, 8, 2}, {{6, 0}, {6, 1}}};
  ASSERT_EQ(max_host_failures_to_tolerate(before), 1U);

  // Starting a 2 GiB VM on host 0: losing host 0 puts 6 + 2 on host 1, and
  // losing host 1 puts 6 on host 0, which has 6 left. Still covered.
  const PoolShape fits{{6, 8, 2}, {{6, 0}, {6, 1}, {2, 0}}};
  EXPECT_FALSE(would_break_plan(fits, 1));
  // A 3 GiB one instead: after 6 goes to host 1, the 3 finds 2 left there
  // and 2 on host 2. Refused.
  const PoolShape breaks{{5, 8, 2}, {{6, 0}, {6, 1}, {3, 0}}};
  EXPECT_TRUE(would_break_plan(breaks, 1));
  // With no plan to keep, nothing is refused.
  EXPECT_FALSE(would_break_plan(breaks, 0));
}

TEST(PlannerFailurePlanDeathTest, VmOnUnknownHostIsRejected) {
  const PoolShape shape{{10}, {{1, 1}}};
  EXPECT_DEATH(plan_exists_for(shape, 1), "VM on an unknown host");
}

}  // namespace
}  // namespace poolha::planner

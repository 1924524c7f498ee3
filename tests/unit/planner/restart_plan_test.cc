#include "planner/restart_plan.h"

#include <gtest/gtest.h>

#include <vector>

namespace poolha::planner {
namespace {

using Hosts = std::vector<std::optional<std::uint32_t>>;

TEST(PlannerRestartPlan, NothingToRestartIsComplete) {
  const std::vector<Bytes> free{10, 20};
  const RestartPlan plan = plan_restarts(free, {});
  EXPECT_TRUE(plan.host_of.empty());
  EXPECT_TRUE(plan.complete());
}

TEST(PlannerRestartPlan, BiggestFirstOnLowestIndexHostWithRoom) {
  // Biggest first: 8 takes host 0 (8 of 10), 6 does not fit there and takes
  // host 1, the first 2 fills host 0 and the second (index 3) goes to host 1.
  const std::vector<Bytes> free{10, 10};
  const std::vector<Bytes> memory{2, 6, 8, 2};
  const RestartPlan plan = plan_restarts(free, memory);
  EXPECT_EQ(plan.host_of, (Hosts{0, 1, 0, 1}));
  EXPECT_TRUE(plan.complete());
}

TEST(PlannerRestartPlan, EqualSizesKeepIndexOrder) {
  const std::vector<Bytes> free{4, 4, 4};
  const std::vector<Bytes> memory{3, 3, 3};
  EXPECT_EQ(plan_restarts(free, memory).host_of, (Hosts{0, 1, 2}));
}

TEST(PlannerRestartPlan, HostsWithNoSpareTakeNothing) {
  const std::vector<Bytes> free{0, 5, 0};
  const std::vector<Bytes> memory{1, 1};
  EXPECT_EQ(plan_restarts(free, memory).host_of, (Hosts{1, 1}));
}

TEST(PlannerRestartPlan, VmThatFitsNowhereIsLeftOutAndOthersStillPlaced) {
  const std::vector<Bytes> free{5, 3};
  const std::vector<Bytes> memory{4, 9, 3, 1};
  const RestartPlan plan = plan_restarts(free, memory);
  EXPECT_EQ(plan.host_of, (Hosts{0, std::nullopt, 1, 0}));
  EXPECT_FALSE(plan.complete());
}

TEST(PlannerRestartPlan, SearchFindsPlanWhereFirstFitFails) {
  // First fit decreasing: 5 and 4 on host 0, three 3s on host 1, and the 2
  // finds 1 left on each. {5,3,2} and {4,3,3} fill both hosts exactly.
  const std::vector<Bytes> free{10, 10};
  const std::vector<Bytes> memory{5, 4, 3, 3, 3, 2};
  const RestartPlan plan = plan_restarts(free, memory);
  ASSERT_TRUE(plan.complete());
  std::vector<Bytes> used(free.size(), 0);
  for (std::size_t vm = 0; vm < memory.size(); ++vm) used[*plan.host_of[vm]] += memory[vm];
  EXPECT_EQ(used, (std::vector<Bytes>{10, 10}));
}

TEST(PlannerRestartPlan, WithoutSearchBudgetTheFirstFitPlanIsKept) {
  const std::vector<Bytes> free{10, 10};
  const std::vector<Bytes> memory{5, 4, 3, 3, 3, 2};
  const RestartPlan plan = plan_restarts(free, memory, PlannerBudget{.max_search_nodes = 0});
  EXPECT_EQ(plan.host_of, (Hosts{0, 0, 1, 1, 1, std::nullopt}));
}

TEST(PlannerRestartPlan, SameInputSamePlan) {
  const std::vector<Bytes> free{7, 9, 3, 12, 5};
  const std::vector<Bytes> memory{3, 5, 2, 2, 7, 1, 4, 3, 2};
  EXPECT_EQ(plan_restarts(free, memory).host_of, plan_restarts(free, memory).host_of);
}

TEST(PlannerRestartPlanDeathTest, ZeroMemoryVmIsRejected) {
  const std::vector<Bytes> free{10};
  const std::vector<Bytes> memory{0};
  EXPECT_DEATH(plan_restarts(free, memory), "a VM needs some memory");
}

}  // namespace
}  // namespace poolha::planner

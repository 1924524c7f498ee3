#include "planner/any_fit_bound.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <optional>
#include <vector>

#include "planner/first_fit.h"
#include "planner_test_support.h"

namespace poolha::planner {
namespace {

using testing::brute_force_max_failures;
using testing::random_small_pool;
using testing::TestRandom;

// Whether first fit decreasing alone (no search) restarts every VM of the
// hosts in `failed_mask` on the others.
bool first_fit_survives(const PoolShape& shape, std::uint32_t failed_mask) {
  std::vector<Bytes> spare = shape.host_free;
  std::vector<Bytes> sizes;
  for (std::uint32_t h = 0; h < spare.size(); ++h) {
    if ((failed_mask >> h & 1U) != 0) spare[h] = 0;
  }
  std::vector<Bytes> memory;
  for (const ProtectedVm& vm : shape.vms) {
    if ((failed_mask >> vm.host & 1U) != 0) memory.push_back(vm.memory);
  }
  for (std::uint32_t vm : decreasing_order(memory)) sizes.push_back(memory[vm]);
  return first_fit_all(spare, sizes);
}

TEST(PlannerAnyFitBound, PoolWithoutVmsCoversAllButOneHost) {
  EXPECT_EQ(any_fit_bound_max_failures(PoolShape{}), 0U);
  EXPECT_EQ(any_fit_bound_max_failures(PoolShape{{5, 5, 5}, {}}), 2U);
}

TEST(PlannerAnyFitBound, OneHugeVmAmongSmallOnes) {
  // Host 0 runs a 90 GiB VM, hosts 1-3 ten 5 GiB VMs each; every host has
  // 100 spare. Two failures always fit (the 90 needs one survivor's 100, the
  // small ones the rest); three cannot (150 of small VMs, one host of 100).
  // Counting every VM as the 90 GiB one, as xapi's approximation does, lets
  // each host take one VM and tolerates nothing.
  PoolShape shape{{100, 100, 100, 100}, {{90, 0}}};
  for (std::uint32_t h = 1; h <= 3; ++h) {
    for (int i = 0; i < 10; ++i) shape.vms.push_back({5, h});
  }
  EXPECT_EQ(any_fit_bound_max_failures(shape), 2U);
}

TEST(PlannerAnyFitBound, EqualSizesAreCountedExactly) {
  // Every VM is 4: a host with spare 11 takes two. Hosts 0-2 run two VMs each
  // and host 3 none, so one failure needs 2 slots out of at least 4, two
  // failures 4 out of 4, three failures 6 out of 2.
  PoolShape shape{{11, 11, 11, 11}, {{4, 0}, {4, 0}, {4, 1}, {4, 1}, {4, 2}, {4, 2}}};
  EXPECT_EQ(any_fit_bound_max_failures(shape), 2U);
}

// The claim the bound makes is stronger than "a plan exists": first fit
// decreasing itself must succeed for every failure set it covers. Checked
// on thousands of random pools, and the bound never exceeds the truth.
TEST(PlannerAnyFitBound, CoveredFailureSetsArePackedByFirstFit) {
  TestRandom random(0x5eed0002);
  int covered_any = 0;
  for (int round = 0; round < 4000; ++round) {
    const PoolShape shape = random_small_pool(random, 7, 10);
    const std::uint32_t bound = any_fit_bound_max_failures(shape);
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    if (!shape.vms.empty() && bound > 0) ++covered_any;
    for (std::uint32_t mask = 0; mask < (1U << hosts); ++mask) {
      if (static_cast<std::uint32_t>(std::popcount(mask)) > bound) continue;
      ASSERT_TRUE(first_fit_survives(shape, mask)) << "round " << round << " mask " << mask;
    }
    ASSERT_LE(bound, brute_force_max_failures(shape)) << "round " << round;
  }
  EXPECT_GT(covered_any, 1000);
}

// Every set the enumeration leaves out must be one the bound covers: first
// fit decreasing packs it. And the sets it lists are sorted and distinct.
TEST(PlannerAnyFitBound, SetsNotListedAsOpenArePackedByFirstFit) {
  TestRandom random(0x5eed000a);
  int open_listed = 0;
  for (int round = 0; round < 4000; ++round) {
    const PoolShape shape = random_small_pool(random, 7, 10);
    const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
    for (std::uint32_t k = 1; k < hosts; ++k) {
      const std::optional<std::vector<std::vector<std::uint32_t>>> open =
          failure_sets_outside_bound(shape, k, 1000);
      ASSERT_TRUE(open.has_value()) << "round " << round;
      std::vector<std::uint32_t> open_masks;
      for (const std::vector<std::uint32_t>& set : *open) {
        ASSERT_EQ(set.size(), k);
        ASSERT_TRUE(std::is_sorted(set.begin(), set.end()));
        std::uint32_t mask = 0;
        for (std::uint32_t h : set) mask |= 1U << h;
        ASSERT_EQ(static_cast<std::uint32_t>(std::popcount(mask)), k);
        open_masks.push_back(mask);
      }
      std::sort(open_masks.begin(), open_masks.end());
      ASSERT_TRUE(std::adjacent_find(open_masks.begin(), open_masks.end()) == open_masks.end());
      open_listed += static_cast<int>(open_masks.size());
      for (std::uint32_t mask = 0; mask < (1U << hosts); ++mask) {
        if (static_cast<std::uint32_t>(std::popcount(mask)) != k) continue;
        if (std::binary_search(open_masks.begin(), open_masks.end(), mask)) continue;
        ASSERT_TRUE(first_fit_survives(shape, mask)) << "round " << round << " mask " << mask;
      }
      if (k <= any_fit_bound_max_failures(shape)) {
        ASSERT_TRUE(open->empty());
      }
    }
  }
  EXPECT_GT(open_listed, 10000);
}

TEST(PlannerAnyFitBound, TooManyOpenSetsIsReported) {
  // Twelve equal hosts with 10 spare, each running two 6 GiB VMs: no set of
  // six failures passes either test, so all 924 are open, far more than 10.
  PoolShape shape;
  for (std::uint32_t h = 0; h < 12; ++h) {
    shape.host_free.push_back(10);
    shape.vms.push_back({6, h});
    shape.vms.push_back({6, h});
  }
  EXPECT_FALSE(failure_sets_outside_bound(shape, 6, 10).has_value());
  EXPECT_EQ(failure_sets_outside_bound(shape, 6, 1000)->size(), 924U);
}

TEST(PlannerAnyFitBound, WorstSetIsTheHostTheBoundCannotCover) {
  // Host 0's VMs fit hosts 1 and 2 only as {5,3,2} and {4,3,3}, which first
  // fit decreasing misses; losing host 1 or 2 restarts nothing.
  const PoolShape shape{{0, 10, 10}, {{5, 0}, {4, 0}, {3, 0}, {3, 0}, {3, 0}, {2, 0}}};
  ASSERT_EQ(any_fit_bound_max_failures(shape), 0U);
  const std::vector<std::vector<std::uint32_t>> worst = failure_sets_worst_for_bound(shape, 1, 4);
  ASSERT_FALSE(worst.empty());
  EXPECT_EQ(worst.front(), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(failure_sets_outside_bound(shape, 1, 10),
            (std::vector<std::vector<std::uint32_t>>{{0}}));
}

}  // namespace
}  // namespace poolha::planner

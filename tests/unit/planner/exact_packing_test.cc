#include "planner/exact_packing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "planner_test_support.h"

namespace poolha::planner {
namespace {

using testing::brute_force_fits;
using testing::TestRandom;

bool placement_is_valid(std::span<const Bytes> capacity, std::span<const Bytes> sizes,
                        std::span<const std::uint32_t> host_of) {
  std::vector<Bytes> used(capacity.size(), 0);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (host_of[i] >= capacity.size()) return false;
    used[host_of[i]] += sizes[i];
  }
  for (std::size_t h = 0; h < capacity.size(); ++h) {
    if (used[h] > capacity[h]) return false;
  }
  return true;
}

TEST(PlannerExactPacking, NoSizesIsFoundWithoutSpendingBudget) {
  std::uint64_t nodes = 0;
  std::vector<std::uint32_t> host_of;
  EXPECT_EQ(search_packing(std::vector<Bytes>{1}, {}, nodes, host_of), PackingSearch::kFound);
}

TEST(PlannerExactPacking, ProvesImpossibility) {
  // Three 4s on hosts of 6: each host takes one, the third does not fit.
  const std::vector<Bytes> capacity{6, 6};
  const std::vector<Bytes> sizes{4, 4, 4};
  std::uint64_t nodes = 1000;
  std::vector<std::uint32_t> host_of;
  EXPECT_EQ(search_packing(capacity, sizes, nodes, host_of), PackingSearch::kImpossible);
}

TEST(PlannerExactPacking, StopsWhenBudgetRunsOut) {
  const std::vector<Bytes> capacity{10, 10};
  const std::vector<Bytes> sizes{5, 4, 3, 3, 3, 2};
  std::uint64_t nodes = 2;
  std::vector<std::uint32_t> host_of;
  EXPECT_EQ(search_packing(capacity, sizes, nodes, host_of), PackingSearch::kOutOfBudget);
  EXPECT_EQ(nodes, 0U);
}

// The symmetry rules must never hide a placement: on many small instances
// full of equal sizes and equal capacities, the search agrees with trying
// every assignment, and every placement it returns is valid.
TEST(PlannerExactPacking, AgreesWithBruteForce) {
  TestRandom random(0x5eed0001);
  int found = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<Bytes> capacity(random.between(1, 6));
    for (Bytes& c : capacity) c = random.between(0, 12);
    std::vector<Bytes> sizes(random.between(0, 9));
    for (Bytes& s : sizes) s = random.between(1, 6);
    std::sort(sizes.begin(), sizes.end(), std::greater<>());

    std::uint64_t nodes = 1'000'000;
    std::vector<std::uint32_t> host_of;
    const PackingSearch result = search_packing(capacity, sizes, nodes, host_of);
    ASSERT_NE(result, PackingSearch::kOutOfBudget) << "round " << round;
    std::vector<Bytes> spare = capacity;
    ASSERT_EQ(result == PackingSearch::kFound, brute_force_fits(spare, sizes)) << "round " << round;
    if (result == PackingSearch::kFound) {
      ++found;
      ASSERT_TRUE(placement_is_valid(capacity, sizes, host_of)) << "round " << round;
    }
  }
  // Both outcomes must be well represented for the comparison to mean much.
  EXPECT_GT(found, 3000);
  EXPECT_LT(found, 17000);
}

}  // namespace
}  // namespace poolha::planner

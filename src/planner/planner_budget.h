// Work limits for the planner. Running out of either never produces a "plan
// exists" answer it could not prove; it only makes the answer more cautious.
#pragma once

#include <cstdint>

namespace poolha::planner {

struct PlannerBudget {
  // Failure sets plan_exists_for may check one by one. C(16, 8) = 12,870, so
  // every failure count of a 16-host pool can be checked exactly; larger pools
  // rely on the any-fit bound beyond the first few failures.
  std::uint64_t max_failure_sets = 20'000;
  // Nodes of exact packing search per call, shared by all failure sets. Each
  // node costs O(hosts), so the default keeps a call well below a second.
  std::uint64_t max_search_nodes = 200'000;
};

}  // namespace poolha::planner

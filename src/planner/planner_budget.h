// Work limits for the planner. Running out of any of them never produces a
// "plan exists" answer it could not prove; it only makes answers more cautious.
#pragma once

#include <cstdint>

namespace poolha::planner {

struct PlannerBudget {
  // Failure sets plan_exists_for may check one by one: all sets of a failure
  // count when there are at most this many (C(16, 8) = 12,870, so every count
  // of a 16-host pool), otherwise the sets the any-fit bound leaves open.
  std::uint64_t max_failure_sets = 20'000;
  // Nodes of exact packing search for one failure count, shared by all its
  // failure sets. Each node costs O(hosts).
  std::uint64_t max_search_nodes = 200'000;
  // VMs packed times hosts, summed over the failure sets of one failure count
  // checked one by one (first fit may scan every host for every VM). Keeps
  // that checking to a fraction of a second on large pools, where each set is
  // expensive.
  std::uint64_t max_packing_work = 100'000'000;
};

}  // namespace poolha::planner

// Exact search for a packing of VM sizes into host capacities, for failure
// sets where first fit falls short. Depth-first over the VMs, biggest first,
// each tried on hosts from the tightest fit upwards; bounded by a node budget.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "planner/pool_shape.h"

namespace poolha::planner {

enum class PackingSearch {
  kFound,        // host_of holds a placement of every size
  kImpossible,   // the search space was exhausted: no placement exists
  kOutOfBudget,  // gave up; nothing is known
};

// `sizes` must be non-increasing. Every node visited takes one from
// `nodes_left`; at zero the search stops. On kFound, host_of[i] is the
// capacity index chosen for sizes[i].
PackingSearch search_packing(std::span<const Bytes> capacity, std::span<const Bytes> sizes,
                             std::uint64_t& nodes_left, std::vector<std::uint32_t>& host_of);

}  // namespace poolha::planner

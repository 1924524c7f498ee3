// A proof that covers every failure set at once, for pools too large to check
// failure sets one by one. See any_fit_bound.cc for the argument.
#pragma once

#include <cstdint>

#include "planner/pool_shape.h"

namespace poolha::planner {

// The largest k (at most host_count - 1) for which the bound shows that, for
// every set F of k failed hosts, first fit decreasing (indeed any packing that
// takes VMs biggest first and leaves one out only when no host has room)
// places all of F's VMs on the hosts outside F. 0 if it cannot show even that
// for one failure. O(distinct VM sizes x hosts + VMs log VMs).
std::uint32_t any_fit_bound_max_failures(const PoolShape& shape);

}  // namespace poolha::planner

// A proof that covers every failure set at once, for pools too large to check
// failure sets one by one. See any_fit_bound.cc for the argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "planner/pool_shape.h"

namespace poolha::planner {

// The largest k (at most host_count - 1) for which the bound shows that, for
// every set F of k failed hosts, first fit decreasing (indeed any packing that
// takes VMs biggest first and leaves one out only when no host has room)
// places all of F's VMs on the hosts outside F. 0 if it cannot show even that
// for one failure. O(distinct VM sizes x hosts + VMs log VMs).
std::uint32_t any_fit_bound_max_failures(const PoolShape& shape);

// For each VM size where the bound falls short, the set of `failures` hosts
// that misses its volume test by the most: the sets likeliest to have no
// placement at all, worth checking before looking for every open set. At most
// `max_sets` distinct sets, each a sorted list of host indices.
std::vector<std::vector<std::uint32_t>> failure_sets_worst_for_bound(const PoolShape& shape,
                                                                     std::uint32_t failures,
                                                                     std::size_t max_sets);

// The sets of `failures` hosts (1 <= failures < host count) the bound leaves
// open: every other set of that size is packed by first fit decreasing.
// Each set is a sorted list of host indices. nullopt when there are more than
// `max_sets` of them, or finding them takes too long.
std::optional<std::vector<std::vector<std::uint32_t>>> failure_sets_outside_bound(
    const PoolShape& shape, std::uint32_t failures, std::uint64_t max_sets);

}  // namespace poolha::planner

// Ground truth for the benchmark's reference table: for every failure set,
// a depth-first search over every VM-to-host assignment, remembering dead
// ends (by the sorted spare left) so equal hosts are not searched twice.
// Shares no code with the planner. Only small pools finish within the limit.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "planner/pool_shape.h"

namespace poolha::bench {

// Whether the VMs of the hosts flagged in `failed` fit on the others; nullopt
// when the search would visit more than `max_states` states.
std::optional<bool> failure_set_fits(const planner::PoolShape& shape,
                                     const std::vector<bool>& failed, std::uint64_t max_states);

// The largest k such that every set of k failed hosts has a placement (VMs
// on the failed hosts into the others' spare), or nullopt when the search
// would visit more than `max_states` states in total.
std::optional<std::uint32_t> exhaustive_max_failures(const planner::PoolShape& shape,
                                                     std::uint64_t max_states);

}  // namespace poolha::bench

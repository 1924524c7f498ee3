// An upper limit on the failures a pool can take, for pools too large for
// exhaustive search: one failure set without any placement is enough to show
// that its size is not covered. Used to tell how far the planner's proven
// count can be from the truth.
#pragma once

#include <cstdint>
#include <optional>

#include "planner/pool_shape.h"

namespace poolha::bench {

// Looks for a failure set of `from`, `from` + 1, ... `from` + 2 hosts that
// has no placement, among the hosts with the most resident load plus spare and
// `samples` random sets per size (fixed seed). Returns `size` - 1 for the first
// size where one is found: the pool cannot take `size` failures. nullopt when
// none is found (or the search gives up on every candidate).
std::optional<std::uint32_t> sampled_max_failures_upper_bound(const planner::PoolShape& shape,
                                                              std::uint32_t from, int samples);

}  // namespace poolha::bench

// The baseline: xapi's approximate admission check, written from its
// description: every VM counts as big as the largest protected VM.
#pragma once

#include <cstdint>

#include "planner/pool_shape.h"

namespace poolha::bench {

// Whether xapi's approximation finds a plan for `failures` simultaneous host
// failures: with M the largest VM, host h holds floor(free_h / M) VMs; the
// `failures` largest of those slot counts are dropped, and the `failures`
// largest per-host VM counts must fit in the slots that are left.
bool xapi_approximate_plan_exists(const planner::PoolShape& shape, std::uint32_t failures);

// The largest k in [0, host count] with a plan under the approximation (it is
// monotone in k, which xapi's bisection relies on).
std::uint32_t xapi_approximate_max_failures(const planner::PoolShape& shape);

}  // namespace poolha::bench

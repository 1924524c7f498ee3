// Admission control: can the pool lose k hosts at once and still restart every
// protected VM of the lost hosts on the others?
#pragma once

#include <cstdint>

#include "planner/planner_budget.h"
#include "planner/pool_shape.h"

namespace poolha::planner {

// How a "plan exists" answer was established.
enum class Proof {
  kExhaustive,  // every failure set was checked and a placement found for each
  kBound,       // the any-fit bound (any_fit_bound.h) covers every failure set,
                // except perhaps a few it leaves open that were checked one by one
  kNone,        // no plan was shown to exist (the answer is "no")
};

struct PlanCheck {
  bool exists = false;
  Proof proof = Proof::kNone;
};

// True only if, for every set F of `failures` hosts failing at once, the VMs
// resident on F can be packed into the spare memory of the hosts outside F.
// Never true when no such packing exists; may be false when one exists but the
// budget ran out before it was shown. 0 failures always has a plan. With k >= 1
// failures at least one host must survive, so k >= host count has no plan
// (even without VMs: there is no pool left to run them on).
PlanCheck plan_exists_for(const PoolShape& shape, std::uint32_t failures,
                          const PlannerBudget& budget = {});

// The number of host failures the pool can take: plan_exists_for holds for it
// and not for one more. At most host_count - 1, which a pool with no protected
// VMs always gets; 0 for an empty pool or when even one failure has no plan.
// Since a plan for k failures is also one for fewer, every smaller count is
// safe too (plan_exists_for may still say no for one of them if the budget
// runs out on it, which only errs on the safe side).
std::uint32_t max_host_failures_to_tolerate(const PoolShape& shape,
                                            const PlannerBudget& budget = {});

// The admission check. `plan_exists_for` is the failure count a plan existed
// for before the change; the change is refused (true) when the pool `after`
// it has no plan for that count. A count of 0 never refuses anything, so a
// pool that is already overcommitted is not blocked further.
bool would_break_plan(const PoolShape& after, std::uint32_t plan_exists_for,
                      const PlannerBudget& budget = {});

}  // namespace poolha::planner

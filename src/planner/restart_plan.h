// Where the VMs of failed hosts restart: the plan the failover code follows.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "planner/planner_budget.h"
#include "planner/pool_shape.h"

namespace poolha::planner {

struct RestartPlan {
  // host_of[i]: the host index VM i restarts on, or nullopt when it does not fit.
  std::vector<std::optional<std::uint32_t>> host_of;
  bool complete() const;
};

// Plans restarts of VMs needing vm_memory[i] onto hosts with host_free[h]
// spare (pass 0 for hosts that must take nothing, such as the failed ones).
// First fit decreasing (biggest first, ties by lowest index); if that leaves a
// VM out, an exact search looks for a complete plan within the node budget,
// and failing that the first-fit plan is returned with its gaps. The same
// inputs always give the same plan. Every vm_memory[i] must be positive.
//
// This is the packing plan_exists_for vouches for: if it found a plan for k
// failures, then for any k hosts failing (their VMs, the others' spare, the
// same budget) this returns a complete plan, because first fit is what the
// bound covers and the search retraces the one that succeeded there.
RestartPlan plan_restarts(std::span<const Bytes> host_free, std::span<const Bytes> vm_memory,
                          const PlannerBudget& budget = {});

}  // namespace poolha::planner

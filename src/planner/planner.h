// The planner's public interface: restart plans, failures to tolerate and the
// admission check. Pure functions of their arguments: no I/O, no clock, no
// randomness, so every host computes the same answers from the same pool.
#pragma once

#include "planner/failure_plan.h"    // IWYU pragma: export
#include "planner/planner_budget.h"  // IWYU pragma: export
#include "planner/pool_shape.h"      // IWYU pragma: export
#include "planner/restart_plan.h"    // IWYU pragma: export

#include "planner/restart_plan.h"

#include <algorithm>

#include "common/check.h"
#include "planner/exact_packing.h"
#include "planner/first_fit.h"

namespace poolha::planner {

bool RestartPlan::complete() const {
  return std::all_of(host_of.begin(), host_of.end(),
                     [](const std::optional<std::uint32_t>& host) { return host.has_value(); });
}

RestartPlan plan_restarts(std::span<const Bytes> host_free, std::span<const Bytes> vm_memory,
                          const PlannerBudget& budget) {
  for (Bytes memory : vm_memory) POOLHA_CHECK(memory > 0, "planner: a VM needs some memory");
  check_total_memory(host_free);
  check_total_memory(vm_memory);
  const std::vector<std::uint32_t> order = decreasing_order(vm_memory);

  RestartPlan plan;
  plan.host_of.assign(vm_memory.size(), std::nullopt);
  std::vector<Bytes> remaining(host_free.begin(), host_free.end());
  bool all_placed = true;
  for (std::uint32_t vm : order) {
    // A VM that fits nowhere does not stop the others: a partial plan still
    // restarts as many VMs as it can.
    plan.host_of[vm] = first_fit_host(remaining, vm_memory[vm]);
    if (plan.host_of[vm]) {
      remaining[*plan.host_of[vm]] -= vm_memory[vm];
    } else {
      all_placed = false;
    }
  }
  if (all_placed) return plan;

  std::vector<Bytes> sizes(order.size());
  std::transform(order.begin(), order.end(), sizes.begin(),
                 [&](std::uint32_t vm) { return vm_memory[vm]; });
  std::uint64_t nodes_left = budget.max_search_nodes;
  std::vector<std::uint32_t> host_of_size;
  if (search_packing(host_free, sizes, nodes_left, host_of_size) == PackingSearch::kFound) {
    for (std::size_t i = 0; i < order.size(); ++i) plan.host_of[order[i]] = host_of_size[i];
  }
  return plan;
}

}  // namespace poolha::planner

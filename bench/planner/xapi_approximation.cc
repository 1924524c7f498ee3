#include "xapi_approximation.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace poolha::bench {

bool xapi_approximate_plan_exists(const planner::PoolShape& shape, std::uint32_t failures) {
  const std::size_t hosts = shape.host_free.size();
  // The trivial cases xapi settles before approximating.
  if (hosts < failures) return false;
  if (shape.vms.empty()) return true;
  if (hosts == failures) return false;

  planner::Bytes largest = 0;
  for (const planner::ProtectedVm& vm : shape.vms) largest = std::max(largest, vm.memory);
  std::vector<std::uint64_t> slots(hosts);
  std::vector<std::uint64_t> vms_on(hosts, 0);
  for (std::size_t h = 0; h < hosts; ++h) slots[h] = shape.host_free[h] / largest;
  for (const planner::ProtectedVm& vm : shape.vms) ++vms_on[vm.host];
  std::sort(slots.begin(), slots.end(), std::greater<>());
  std::sort(vms_on.begin(), vms_on.end(), std::greater<>());

  std::uint64_t slots_left = 0;
  for (std::size_t h = failures; h < hosts; ++h) slots_left += slots[h];
  std::uint64_t vms_to_restart = 0;
  for (std::size_t h = 0; h < failures; ++h) vms_to_restart += vms_on[h];
  return vms_to_restart <= slots_left;
}

std::uint32_t xapi_approximate_max_failures(const planner::PoolShape& shape) {
  const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
  std::uint32_t k = 0;
  while (k < hosts && xapi_approximate_plan_exists(shape, k + 1)) ++k;
  return k;
}

}  // namespace poolha::bench

#include "planner/failure_plan.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "planner/any_fit_bound.h"
#include "planner/exact_packing.h"
#include "planner/first_fit.h"

namespace poolha::planner {
namespace {

// Whether C(n, k) <= limit, without overflowing on the way.
bool combinations_at_most(std::uint32_t n, std::uint32_t k, std::uint64_t limit) {
  k = std::min(k, n - k);
  std::uint64_t count = 1;  // C(n - k + i, i) after step i; never decreases
  for (std::uint32_t i = 1; i <= k; ++i) {
    const std::uint64_t factor = n - k + i;
    if (count > std::numeric_limits<std::uint64_t>::max() / factor) return false;
    count = count * factor / i;
    if (count > limit) return false;
  }
  return count <= limit;
}

// Checks failure sets one at a time: first fit decreasing, then exact search.
class FailureSetChecker {
 public:
  FailureSetChecker(const PoolShape& shape, const PlannerBudget& budget)
      : shape_(shape), budget_(budget), failed_(shape.host_free.size(), false) {
    std::vector<Bytes> vm_memory(shape.vms.size());
    std::transform(shape.vms.begin(), shape.vms.end(), vm_memory.begin(),
                   [](const ProtectedVm& vm) { return vm.memory; });
    vms_by_size_ = decreasing_order(vm_memory);

    // Sets made of the hosts carrying the most (resident load plus spare) are
    // the likeliest to have no plan; visiting them first ends a "no" early.
    std::vector<Bytes> weight(shape.host_free);
    for (const ProtectedVm& vm : shape.vms) weight[vm.host] += vm.memory;
    hosts_by_weight_.resize(shape.host_free.size());
    std::iota(hosts_by_weight_.begin(), hosts_by_weight_.end(), 0U);
    std::stable_sort(hosts_by_weight_.begin(), hosts_by_weight_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return weight[a] > weight[b]; });
  }

  PlanCheck check_all(std::uint32_t failures) {
    const auto host_count = static_cast<std::uint32_t>(hosts_by_weight_.size());
    nodes_left_ = budget_.max_search_nodes;
    std::vector<std::uint32_t> pick(failures);  // positions in hosts_by_weight_
    std::iota(pick.begin(), pick.end(), 0U);
    std::vector<std::uint32_t> failed(failures);
    for (;;) {
      for (std::uint32_t i = 0; i < failures; ++i) failed[i] = hosts_by_weight_[pick[i]];
      if (!has_plan(failed)) return {false, Proof::kNone};
      // Next combination in lexicographic order of positions.
      std::uint32_t i = failures;
      while (i > 0 && pick[i - 1] == host_count - failures + (i - 1)) --i;
      if (i == 0) return {true, Proof::kExhaustive};
      ++pick[i - 1];
      for (std::uint32_t j = i; j < failures; ++j) pick[j] = pick[j - 1] + 1;
    }
  }

 private:
  // Whether a placement of the failed hosts' VMs was found. Running out of
  // search budget counts as "no": the caller must not claim a plan.
  bool has_plan(std::span<const std::uint32_t> failed) {
    for (std::uint32_t h : failed) failed_[h] = true;
    capacity_.assign(shape_.host_free.begin(), shape_.host_free.end());
    for (std::uint32_t h : failed) capacity_[h] = 0;
    sizes_.clear();
    for (std::uint32_t vm : vms_by_size_) {
      if (failed_[shape_.vms[vm].host]) sizes_.push_back(shape_.vms[vm].memory);
    }
    for (std::uint32_t h : failed) failed_[h] = false;

    const Bytes needed = std::accumulate(sizes_.begin(), sizes_.end(), Bytes{0});
    const Bytes spare = std::accumulate(capacity_.begin(), capacity_.end(), Bytes{0});
    if (needed > spare) return false;
    remaining_ = capacity_;
    if (first_fit_all(remaining_, sizes_)) return true;
    return search_packing(capacity_, sizes_, nodes_left_, search_hosts_) == PackingSearch::kFound;
  }

  const PoolShape& shape_;
  const PlannerBudget& budget_;
  std::vector<std::uint32_t> vms_by_size_;
  std::vector<std::uint32_t> hosts_by_weight_;
  std::uint64_t nodes_left_ = 0;
  // Scratch space reused across failure sets.
  std::vector<bool> failed_;
  std::vector<Bytes> capacity_;
  std::vector<Bytes> remaining_;
  std::vector<Bytes> sizes_;
  std::vector<std::uint32_t> search_hosts_;
};

}  // namespace

PlanCheck plan_exists_for(const PoolShape& shape, std::uint32_t failures,
                          const PlannerBudget& budget) {
  check_pool_shape(shape);
  const auto host_count = static_cast<std::uint32_t>(shape.host_free.size());
  if (failures == 0) return {true, Proof::kExhaustive};
  if (failures >= host_count) return {false, Proof::kNone};
  if (shape.vms.empty()) return {true, Proof::kExhaustive};
  // The bound is cheap, so it goes first; failure sets are only enumerated
  // when it falls short and there are few enough of them.
  if (any_fit_bound_max_failures(shape) >= failures) return {true, Proof::kBound};
  if (!combinations_at_most(host_count, failures, budget.max_failure_sets)) {
    return {false, Proof::kNone};
  }
  return FailureSetChecker(shape, budget).check_all(failures);
}

std::uint32_t max_host_failures_to_tolerate(const PoolShape& shape, const PlannerBudget& budget) {
  check_pool_shape(shape);
  const auto host_count = static_cast<std::uint32_t>(shape.host_free.size());
  if (host_count == 0) return 0;
  if (shape.vms.empty()) return host_count - 1;
  // Same decisions as plan_exists_for, without recomputing the bound per k:
  // the bound covers every k up to its maximum, and beyond it counts are
  // checked exactly, upwards, while their failure sets fit the budget.
  std::uint32_t tolerated = any_fit_bound_max_failures(shape);
  FailureSetChecker checker(shape, budget);
  while (tolerated + 1 < host_count &&
         combinations_at_most(host_count, tolerated + 1, budget.max_failure_sets) &&
         checker.check_all(tolerated + 1).exists) {
    ++tolerated;
  }
  return tolerated;
}

bool would_break_plan(const PoolShape& after, std::uint32_t plan_exists_for,
                      const PlannerBudget& budget) {
  return !planner::plan_exists_for(after, plan_exists_for, budget).exists;
}

}  // namespace poolha::planner

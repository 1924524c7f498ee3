#include "planner/failure_plan.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
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
      : shape_(shape), budget_(budget), vms_on_(shape.host_free.size()) {
    for (const ProtectedVm& vm : shape.vms) vms_on_[vm.host].push_back(vm.memory);

    // Sets made of the hosts carrying the most (resident load plus spare) are
    // the likeliest to have no plan; visiting them first ends a "no" early.
    weight_ = shape.host_free;
    for (const ProtectedVm& vm : shape.vms) weight_[vm.host] += vm.memory;
    hosts_by_weight_.resize(shape.host_free.size());
    std::iota(hosts_by_weight_.begin(), hosts_by_weight_.end(), 0U);
    std::stable_sort(hosts_by_weight_.begin(), hosts_by_weight_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return weight_[a] > weight_[b]; });
  }

  // Refills the search and packing budgets: once per failure count checked.
  void refill_budget() {
    nodes_left_ = budget_.max_search_nodes;
    work_left_ = budget_.max_packing_work;
  }

  // Every set of `failures` hosts.
  PlanCheck check_all(std::uint32_t failures) {
    const auto host_count = static_cast<std::uint32_t>(hosts_by_weight_.size());
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

  // Just the given sets, heaviest first.
  bool check_sets(std::vector<std::vector<std::uint32_t>> sets) {
    std::vector<Bytes> set_weight(sets.size(), 0);
    for (std::size_t i = 0; i < sets.size(); ++i) {
      for (std::uint32_t h : sets[i]) set_weight[i] += weight_[h];
    }
    std::vector<std::size_t> order(sets.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return set_weight[a] > set_weight[b]; });
    return std::all_of(order.begin(), order.end(),
                       [&](std::size_t i) { return has_plan(sets[i]); });
  }

 private:
  // Whether a placement of the failed hosts' VMs was found. Running out of
  // budget counts as "no": the caller must not claim a plan.
  bool has_plan(std::span<const std::uint32_t> failed) {
    sizes_.clear();
    for (std::uint32_t h : failed) {
      sizes_.insert(sizes_.end(), vms_on_[h].begin(), vms_on_[h].end());
    }
    const std::uint64_t work = (sizes_.size() + 1) * shape_.host_free.size();
    if (work > work_left_) return false;
    work_left_ -= work;
    std::sort(sizes_.begin(), sizes_.end(), std::greater<>());

    capacity_.assign(shape_.host_free.begin(), shape_.host_free.end());
    for (std::uint32_t h : failed) capacity_[h] = 0;
    const Bytes needed = std::accumulate(sizes_.begin(), sizes_.end(), Bytes{0});
    const Bytes spare = std::accumulate(capacity_.begin(), capacity_.end(), Bytes{0});
    if (needed > spare) return false;
    remaining_ = capacity_;
    if (first_fit_all(remaining_, sizes_)) return true;
    return search_packing(capacity_, sizes_, nodes_left_, search_hosts_) == PackingSearch::kFound;
  }

  const PoolShape& shape_;
  const PlannerBudget& budget_;
  std::vector<std::vector<Bytes>> vms_on_;  // memory of each host's VMs
  std::vector<Bytes> weight_;               // resident load plus spare, per host
  std::vector<std::uint32_t> hosts_by_weight_;
  std::uint64_t nodes_left_ = 0;
  std::uint64_t work_left_ = 0;
  // Scratch space reused across failure sets.
  std::vector<Bytes> capacity_;
  std::vector<Bytes> remaining_;
  std::vector<Bytes> sizes_;
  std::vector<std::uint32_t> search_hosts_;
};

constexpr std::size_t kWorstSetsFirst = 8;

// The answer for a failure count the bound alone does not cover: check every
// failure set if there are few enough, otherwise just the sets the bound
// leaves open, if there are few enough of those.
PlanCheck check_beyond_bound(const PoolShape& shape, std::uint32_t failures,
                             const PlannerBudget& budget, FailureSetChecker& checker) {
  const auto host_count = static_cast<std::uint32_t>(shape.host_free.size());
  checker.refill_budget();
  if (combinations_at_most(host_count, failures, budget.max_failure_sets)) {
    return checker.check_all(failures);
  }
  // When there is no plan, one of the sets the bound misses worst usually
  // shows it; checking those first spares looking for every open set.
  if (!checker.check_sets(failure_sets_worst_for_bound(shape, failures, kWorstSetsFirst))) {
    return {false, Proof::kNone};
  }
  std::optional<std::vector<std::vector<std::uint32_t>>> open =
      failure_sets_outside_bound(shape, failures, budget.max_failure_sets);
  if (open && checker.check_sets(std::move(*open))) return {true, Proof::kBound};
  return {false, Proof::kNone};
}

}  // namespace

PlanCheck plan_exists_for(const PoolShape& shape, std::uint32_t failures,
                          const PlannerBudget& budget) {
  check_pool_shape(shape);
  const auto host_count = static_cast<std::uint32_t>(shape.host_free.size());
  if (failures == 0) return {true, Proof::kExhaustive};
  if (failures >= host_count) return {false, Proof::kNone};
  if (shape.vms.empty()) return {true, Proof::kExhaustive};
  // The bound is cheap, so it goes first; failure sets are only checked one
  // by one when it falls short.
  if (any_fit_bound_max_failures(shape) >= failures) return {true, Proof::kBound};
  FailureSetChecker checker(shape, budget);
  return check_beyond_bound(shape, failures, budget, checker);
}

std::uint32_t max_host_failures_to_tolerate(const PoolShape& shape, const PlannerBudget& budget) {
  check_pool_shape(shape);
  const auto host_count = static_cast<std::uint32_t>(shape.host_free.size());
  if (host_count == 0) return 0;
  if (shape.vms.empty()) return host_count - 1;
  // Same decisions as plan_exists_for, without recomputing the bound per k:
  // the bound covers every k up to its maximum, and beyond it counts are
  // checked one by one, upwards, until one has no plan.
  std::uint32_t tolerated = any_fit_bound_max_failures(shape);
  FailureSetChecker checker(shape, budget);
  while (tolerated + 1 < host_count &&
         check_beyond_bound(shape, tolerated + 1, budget, checker).exists) {
    ++tolerated;
  }
  return tolerated;
}

bool would_break_plan(const PoolShape& after, std::uint32_t plan_exists_for,
                      const PlannerBudget& budget) {
  return !planner::plan_exists_for(after, plan_exists_for, budget).exists;
}

}  // namespace poolha::planner

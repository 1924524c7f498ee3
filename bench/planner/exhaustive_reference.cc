#include "exhaustive_reference.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <set>
#include <vector>

namespace poolha::bench {
namespace {

using planner::Bytes;

struct StateLimitReached {};

class AssignmentSearch {
 public:
  AssignmentSearch(std::vector<Bytes> spare, std::vector<Bytes> sizes, std::uint64_t& states_left)
      : spare_(std::move(spare)), sizes_(std::move(sizes)), states_left_(states_left) {
    // Biggest first only finds dead ends sooner; every assignment is still tried.
    std::sort(sizes_.begin(), sizes_.end(), std::greater<>());
  }

  bool fits() {
    const Bytes needed = std::accumulate(sizes_.begin(), sizes_.end(), Bytes{0});
    if (needed > std::accumulate(spare_.begin(), spare_.end(), Bytes{0})) return false;
    return place(0);
  }

 private:
  bool place(std::size_t next) {
    if (next == sizes_.size()) return true;
    std::vector<Bytes> key = spare_;
    std::sort(key.begin(), key.end());
    key.push_back(next);
    if (dead_ends_.contains(key)) return false;
    if (states_left_ == 0) throw StateLimitReached{};
    --states_left_;
    for (Bytes& room : spare_) {
      if (room < sizes_[next]) continue;
      room -= sizes_[next];
      const bool done = place(next + 1);
      room += sizes_[next];
      if (done) return true;
    }
    dead_ends_.insert(std::move(key));
    return false;
  }

  std::vector<Bytes> spare_;
  std::vector<Bytes> sizes_;
  std::uint64_t& states_left_;
  std::set<std::vector<Bytes>> dead_ends_;
};

bool fits(const planner::PoolShape& shape, const std::vector<bool>& failed,
          std::uint64_t& states_left) {
  std::vector<Bytes> spare;
  for (std::size_t h = 0; h < shape.host_free.size(); ++h) {
    if (!failed[h]) spare.push_back(shape.host_free[h]);
  }
  std::vector<Bytes> sizes;
  for (const planner::ProtectedVm& vm : shape.vms) {
    if (failed[vm.host]) sizes.push_back(vm.memory);
  }
  return AssignmentSearch(std::move(spare), std::move(sizes), states_left).fits();
}

bool every_failure_set_fits(const planner::PoolShape& shape, std::uint32_t failures,
                            std::uint64_t& states_left) {
  std::vector<bool> failed(shape.host_free.size(), false);
  std::fill(failed.begin(), failed.begin() + failures, true);
  // Walk all arrangements of `failures` true flags (prev_permutation from the
  // all-leading arrangement visits each subset once).
  do {
    if (!fits(shape, failed, states_left)) return false;
  } while (std::prev_permutation(failed.begin(), failed.end()));
  return true;
}

}  // namespace

std::optional<bool> failure_set_fits(const planner::PoolShape& shape,
                                     const std::vector<bool>& failed, std::uint64_t max_states) {
  std::uint64_t states_left = max_states;
  try {
    return fits(shape, failed, states_left);
  } catch (const StateLimitReached&) {
    return std::nullopt;
  }
}

std::optional<std::uint32_t> exhaustive_max_failures(const planner::PoolShape& shape,
                                                     std::uint64_t max_states) {
  const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
  std::uint64_t states_left = max_states;
  std::uint32_t k = 0;
  try {
    // A plan for k failures covers fewer, so the first count without one ends it.
    while (k + 1 < hosts && every_failure_set_fits(shape, k + 1, states_left)) ++k;
  } catch (const StateLimitReached&) {
    return std::nullopt;
  }
  return k;
}

}  // namespace poolha::bench

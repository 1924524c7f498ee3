#include "planner/any_fit_bound.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <set>
#include <span>
#include <vector>

#include "common/check.h"

namespace poolha::planner {

// Why the bound is sound. Let a packing place F's VMs biggest first, leaving
// a VM out only when no surviving host has room for it, and let the first VM
// left out have size s. At that moment:
//  (a) every VM placed is one of F's VMs of size >= s other than this one:
//      their volume is at most W_F(s) - s and their count at most N_F(s) - 1,
//      where W_F(s) and N_F(s) are the volume and count of F's VMs >= s;
//  (b) every survivor h (spare c_h) has less than s left. If c_h >= s it holds
//      some j VMs of load > c_h - s, each at most M (the largest VM) and at
//      least s, so j >= floor((c_h - s) / M) + 1 =: j_s(c_h) and
//      load >= max(c_h - s + 1, j_s(c_h) * s) =: g_s(c_h); if c_h < s, both 0.
// Hence a VM of size s can be left out only if
//      W_F(s) - s >= sum over h outside F of g_s(c_h)      (volume)   and
//      N_F(s) - 1 >= sum over h outside F of j_s(c_h)      (count).
// F passes a test at size s when that inequality is false. If at every VM
// size F passes one of the two tests, the packing places every VM.
//
// Neither test needs F to be enumerated. Moving F's terms to the left,
// passing the volume test reads: sum over h in F of (L_h(s) + g_s(c_h)) is
// below G_s + s, with L_h(s) the volume of h's VMs >= s and G_s the sum of
// g_s over all hosts. So the worst F of k hosts is the k largest
// L_h(s) + g_s(c_h), and one top-k sum decides all C(n, k) sets exactly, with
// no pessimism from pairing the heaviest failed hosts with the emptiest
// survivors. Likewise for count, with N_h(s) + j_s(c_h) against J_s + 1. Per
// size we require every F to pass the same test, which is weaker than letting
// each F pick, and checking sizes F does not contain only adds caution.
//
// Both top-k sums grow with k, so each size s allows every k up to some limit
// and the answer is the smallest limit; walking sizes downwards with a k that
// only decreases finds it in O(distinct sizes x hosts) plus the sort.
//
// Beyond that k, the sets failing both tests at some size are exactly the
// ones the argument does not cover. They are found by a pruned walk over the
// hosts (a set must reach both limits), and when there are few of them the
// caller packs each one by one: every other set is covered.
namespace {

struct SizeThreshold {
  Bytes size;        // s
  Bytes largest_vm;  // M
  // j_s(c): VMs a host with spare c must hold before it can refuse a VM of size s.
  std::uint64_t vms_before_full(Bytes spare) const {
    return spare < size ? 0 : (spare - size) / largest_vm + 1;
  }
  // g_s(c): memory such a host must hold before it can refuse a VM of size s.
  Bytes load_before_full(Bytes spare) const {
    return spare < size ? 0 : std::max(spare - size + 1, vms_before_full(spare) * size);
  }
};

// The two tests at one VM size, as per-host scores: a failure set passes the
// volume test when its hosts' `volume` scores add up to less than
// `volume_limit`, and the count test likewise with `count`.
struct SizeTests {
  std::vector<Bytes> volume;  // L_h(s) + g_s(c_h)
  Bytes volume_limit = 0;     // G_s + s
  std::vector<Bytes> count;   // N_h(s) + j_s(c_h)
  Bytes count_limit = 0;      // J_s + 1
};

// Walks the pool's VM sizes from the largest down, keeping for each host the
// volume and count of its VMs at least as big as the current size.
class SizeSweep {
 public:
  explicit SizeSweep(const PoolShape& shape)
      : spare_(shape.host_free),
        vms_(shape.vms),
        volume_at_least_(shape.host_free.size(), 0),
        count_at_least_(shape.host_free.size(), 0) {
    std::sort(vms_.begin(), vms_.end(),
              [](const ProtectedVm& a, const ProtectedVm& b) { return a.memory > b.memory; });
  }

  // Moves to the next smaller size; false once every size has been visited.
  bool advance() {
    if (next_ == vms_.size()) return false;
    size_ = vms_[next_].memory;
    for (; next_ < vms_.size() && vms_[next_].memory == size_; ++next_) {
      volume_at_least_[vms_[next_].host] += size_;
      ++count_at_least_[vms_[next_].host];
    }
    return true;
  }

  void tests_at_current_size(SizeTests& tests) const {
    const SizeThreshold threshold{size_, vms_.front().memory};
    const std::size_t hosts = spare_.size();
    tests.volume.resize(hosts);
    tests.count.resize(hosts);
    Bytes all_loads = 0;
    Bytes all_counts = 0;
    for (std::size_t h = 0; h < hosts; ++h) {
      const Bytes load = threshold.load_before_full(spare_[h]);
      const Bytes count = threshold.vms_before_full(spare_[h]);
      all_loads += load;
      all_counts += count;
      tests.volume[h] = volume_at_least_[h] + load;
      tests.count[h] = count_at_least_[h] + count;
    }
    tests.volume_limit = all_loads + size_;
    tests.count_limit = all_counts + 1;
  }

 private:
  std::span<const Bytes> spare_;
  std::vector<ProtectedVm> vms_;  // biggest first
  std::size_t next_ = 0;
  Bytes size_ = 0;
  std::vector<Bytes> volume_at_least_;  // L_h(s)
  std::vector<Bytes> count_at_least_;   // N_h(s)
};

Bytes sum_of_largest(std::span<const Bytes> values, std::uint32_t k, std::vector<Bytes>& scratch) {
  scratch.assign(values.begin(), values.end());
  std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), std::greater<>());
  return std::accumulate(scratch.begin(), scratch.begin() + k, Bytes{0});
}

// Whether every set of k hosts passes one of the tests.
bool every_set_passes(const SizeTests& tests, std::uint32_t k, std::vector<Bytes>& scratch) {
  return sum_of_largest(tests.volume, k, scratch) < tests.volume_limit ||
         sum_of_largest(tests.count, k, scratch) < tests.count_limit;
}

// Finds the sets of k hosts failing both tests of one size: a depth-first
// walk over the hosts by decreasing volume score that drops a branch as soon
// as even its best completion would pass a test.
class OpenSetSearch {
 public:
  OpenSetSearch(const SizeTests& tests, std::uint32_t k, std::uint64_t& steps_left)
      : tests_(tests), k_(k), steps_left_(steps_left) {
    by_volume_.resize(tests.volume.size());
    std::iota(by_volume_.begin(), by_volume_.end(), 0U);
    std::stable_sort(by_volume_.begin(), by_volume_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return tests.volume[a] > tests.volume[b];
    });
    volume_prefix_.assign(by_volume_.size() + 1, 0);
    for (std::size_t i = 0; i < by_volume_.size(); ++i) {
      volume_prefix_[i + 1] = volume_prefix_[i] + tests.volume[by_volume_[i]];
    }
    std::vector<Bytes> counts = tests.count;
    std::sort(counts.begin(), counts.end(), std::greater<>());
    best_counts_.assign(k + 1, 0);
    for (std::uint32_t i = 0; i < k; ++i) best_counts_[i + 1] = best_counts_[i] + counts[i];
  }

  // Adds the sets found to `open`; false when the step limit or `max_sets`
  // was exceeded.
  bool run(std::set<std::vector<std::uint32_t>>& open, std::uint64_t max_sets) {
    open_ = &open;
    max_sets_ = max_sets;
    return visit(0, k_, 0, 0);
  }

 private:
  bool visit(std::size_t next, std::uint32_t left, Bytes volume, Bytes count) {
    if (left == 0) {
      if (count < tests_.count_limit) return true;
      std::vector<std::uint32_t> set = chosen_;
      std::sort(set.begin(), set.end());
      open_->insert(std::move(set));
      return open_->size() <= max_sets_;
    }
    if (by_volume_.size() - next < left) return true;
    if (volume + (volume_prefix_[next + left] - volume_prefix_[next]) < tests_.volume_limit) {
      return true;
    }
    if (count + best_counts_[left] < tests_.count_limit) return true;
    if (steps_left_ == 0) return false;
    --steps_left_;
    const std::uint32_t host = by_volume_[next];
    chosen_.push_back(host);
    const bool within_limits =
        visit(next + 1, left - 1, volume + tests_.volume[host], count + tests_.count[host]);
    chosen_.pop_back();
    return within_limits && visit(next + 1, left, volume, count);
  }

  const SizeTests& tests_;
  std::uint32_t k_;
  std::uint64_t& steps_left_;
  std::vector<std::uint32_t> by_volume_;
  std::vector<Bytes> volume_prefix_;  // over by_volume_
  std::vector<Bytes> best_counts_;    // [i]: the i largest count scores added
  std::vector<std::uint32_t> chosen_;
  std::set<std::vector<std::uint32_t>>* open_ = nullptr;
  std::uint64_t max_sets_ = 0;
};

}  // namespace

std::uint32_t any_fit_bound_max_failures(const PoolShape& shape) {
  const auto host_count = static_cast<std::uint32_t>(shape.host_free.size());
  if (host_count == 0) return 0;
  std::uint32_t k = host_count - 1;
  if (shape.vms.empty()) return k;

  SizeSweep sweep(shape);
  SizeTests tests;
  std::vector<Bytes> scratch;
  while (k > 0 && sweep.advance()) {
    sweep.tests_at_current_size(tests);
    while (k > 0 && !every_set_passes(tests, k, scratch)) --k;
  }
  return k;
}

std::vector<std::vector<std::uint32_t>> failure_sets_worst_for_bound(const PoolShape& shape,
                                                                     std::uint32_t failures,
                                                                     std::size_t max_sets) {
  POOLHA_CHECK(failures >= 1 && failures < shape.host_free.size(),
               "planner: failure sets need a failed and a surviving host");
  std::vector<std::vector<std::uint32_t>> worst;
  SizeSweep sweep(shape);
  SizeTests tests;
  std::vector<Bytes> scratch;
  std::vector<std::uint32_t> hosts(shape.host_free.size());
  while (!shape.vms.empty() && worst.size() < max_sets && sweep.advance()) {
    sweep.tests_at_current_size(tests);
    if (every_set_passes(tests, failures, scratch)) continue;
    std::iota(hosts.begin(), hosts.end(), 0U);
    std::stable_sort(hosts.begin(), hosts.end(), [&](std::uint32_t a, std::uint32_t b) {
      return tests.volume[a] > tests.volume[b];
    });
    std::vector<std::uint32_t> set(hosts.begin(), hosts.begin() + failures);
    std::sort(set.begin(), set.end());
    if (std::find(worst.begin(), worst.end(), set) == worst.end()) worst.push_back(std::move(set));
  }
  return worst;
}

std::optional<std::vector<std::vector<std::uint32_t>>> failure_sets_outside_bound(
    const PoolShape& shape, std::uint32_t failures, std::uint64_t max_sets) {
  POOLHA_CHECK(failures >= 1 && failures < shape.host_free.size(),
               "planner: failure sets need a failed and a surviving host");
  std::set<std::vector<std::uint32_t>> open;
  // Enough steps to find max_sets sets a few times over (sizes close together
  // tend to leave the same sets open); the walk rarely enters a branch that
  // yields nothing.
  std::uint64_t steps_left = 8 * std::min<std::uint64_t>(max_sets, 10'000'000) + 4096;
  SizeSweep sweep(shape);
  SizeTests tests;
  std::vector<Bytes> scratch;
  while (!shape.vms.empty() && sweep.advance()) {
    sweep.tests_at_current_size(tests);
    if (every_set_passes(tests, failures, scratch)) continue;
    if (!OpenSetSearch(tests, failures, steps_left).run(open, max_sets)) return std::nullopt;
  }
  return std::vector<std::vector<std::uint32_t>>(open.begin(), open.end());
}

}  // namespace poolha::planner

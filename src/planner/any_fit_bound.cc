#include "planner/any_fit_bound.h"

#include <algorithm>
#include <functional>
#include <span>
#include <vector>

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
// If for every VM size s one of the two fails, the packing places every VM.
//
// Neither side needs F to be enumerated. Moving F's terms to the left,
// "volume fails for F" reads sum over h in F of (L_h(s) + g_s(c_h)) < G_s + s,
// with L_h(s) the volume of h's VMs >= s and G_s the sum of g_s over all
// hosts; so the worst F of k hosts is the k largest L_h(s) + g_s(c_h), and
// one top-k sum decides all C(n, k) sets exactly, with no pessimism from
// pairing the heaviest failed hosts with the emptiest survivors. Likewise for
// count with N_h(s) + j_s(c_h) against J_s + 1. Per size we require the whole
// family to pass one of the two tests, which is weaker than allowing each F to
// pick, and checking sizes F does not contain only adds caution.
//
// Both top-k sums grow with k, so each size s allows every k up to some limit
// and the answer is the smallest limit; walking sizes downwards with a k that
// only decreases finds it in O(distinct sizes x hosts) plus the sort.
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

Bytes sum_of_largest(std::vector<Bytes>& values, std::uint32_t k) {
  std::nth_element(values.begin(), values.begin() + (k - 1), values.end(), std::greater<>());
  Bytes sum = 0;
  for (std::uint32_t i = 0; i < k; ++i) sum += values[i];
  return sum;
}

class BoundCheck {
 public:
  BoundCheck(std::span<const Bytes> spare, Bytes largest_vm)
      : spare_(spare),
        largest_vm_(largest_vm),
        volume_at_least_(spare.size(), 0),
        count_at_least_(spare.size(), 0),
        scores_(spare.size(), 0) {}

  void add_vm(std::uint32_t host, Bytes memory) {
    volume_at_least_[host] += memory;
    ++count_at_least_[host];
  }

  // Whether every set of k failed hosts passes the volume or the count test
  // for VMs of `size`, given that every VM >= size has been added.
  bool covers(std::uint32_t k, Bytes size) {
    const SizeThreshold threshold{size, largest_vm_};
    Bytes all_loads = 0;
    for (std::size_t h = 0; h < spare_.size(); ++h) {
      const Bytes load = threshold.load_before_full(spare_[h]);
      all_loads += load;
      scores_[h] = volume_at_least_[h] + load;
    }
    if (sum_of_largest(scores_, k) < all_loads + size) return true;
    std::uint64_t all_counts = 0;
    for (std::size_t h = 0; h < spare_.size(); ++h) {
      const std::uint64_t count = threshold.vms_before_full(spare_[h]);
      all_counts += count;
      scores_[h] = count_at_least_[h] + count;
    }
    return sum_of_largest(scores_, k) <= all_counts;
  }

 private:
  std::span<const Bytes> spare_;
  Bytes largest_vm_;
  std::vector<Bytes> volume_at_least_;         // L_h(s)
  std::vector<std::uint64_t> count_at_least_;  // N_h(s)
  std::vector<Bytes> scores_;
};

}  // namespace

std::uint32_t any_fit_bound_max_failures(const PoolShape& shape) {
  const auto host_count = static_cast<std::uint32_t>(shape.host_free.size());
  if (host_count == 0) return 0;
  std::uint32_t k = host_count - 1;
  if (shape.vms.empty()) return k;

  std::vector<ProtectedVm> vms = shape.vms;
  std::sort(vms.begin(), vms.end(),
            [](const ProtectedVm& a, const ProtectedVm& b) { return a.memory > b.memory; });
  BoundCheck check(shape.host_free, vms.front().memory);
  std::size_t next = 0;
  while (next < vms.size() && k > 0) {
    const Bytes size = vms[next].memory;
    for (; next < vms.size() && vms[next].memory == size; ++next) {
      check.add_vm(vms[next].host, vms[next].memory);
    }
    while (k > 0 && !check.covers(k, size)) --k;
  }
  return k;
}

}  // namespace poolha::planner

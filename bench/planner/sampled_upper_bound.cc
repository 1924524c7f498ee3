#include "sampled_upper_bound.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "exhaustive_reference.h"
#include "pool_generator.h"

namespace poolha::bench {
namespace {

constexpr std::uint64_t kStatesPerSet = 200'000;

bool has_no_placement(const planner::PoolShape& shape, const std::vector<bool>& failed) {
  const std::optional<bool> fits = failure_set_fits(shape, failed, kStatesPerSet);
  return fits.has_value() && !*fits;
}

}  // namespace

std::optional<std::uint32_t> sampled_max_failures_upper_bound(const planner::PoolShape& shape,
                                                              std::uint32_t from, int samples) {
  const auto hosts = static_cast<std::uint32_t>(shape.host_free.size());
  std::vector<planner::Bytes> weight = shape.host_free;
  for (const planner::ProtectedVm& vm : shape.vms) weight[vm.host] += vm.memory;
  std::vector<std::uint32_t> heaviest(hosts);
  std::iota(heaviest.begin(), heaviest.end(), 0U);
  std::stable_sort(heaviest.begin(), heaviest.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return weight[a] > weight[b]; });

  BenchRandom random(from * 7919ULL + hosts);
  for (std::uint32_t size = std::max(from, 1U); size < hosts && size <= from + 2; ++size) {
    std::vector<bool> failed(hosts, false);
    for (std::uint32_t i = 0; i < size; ++i) failed[heaviest[i]] = true;
    if (has_no_placement(shape, failed)) return size - 1;
    for (int sample = 0; sample < samples; ++sample) {
      std::fill(failed.begin(), failed.end(), false);
      for (std::uint32_t picked = 0; picked < size;) {
        const auto h = static_cast<std::uint32_t>(random.between(0, hosts - 1));
        if (!failed[h]) {
          failed[h] = true;
          ++picked;
        }
      }
      if (has_no_placement(shape, failed)) return size - 1;
    }
  }
  return std::nullopt;
}

}  // namespace poolha::bench

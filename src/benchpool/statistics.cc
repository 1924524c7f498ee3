// Nearest-rank order statistics (statistics.h).
#include "benchpool/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace poolha::benchpool {

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) throw std::invalid_argument("percentile of no samples");
  if (!(p > 0 && p <= 100)) throw std::invalid_argument("percentile outside (0, 100]");
  std::sort(samples.begin(), samples.end());
  // The rank is computed in integer hundredths where possible, so that
  // 0.99 * 100 is exactly 99 and not one rank more through rounding.
  const double exact = p * static_cast<double>(samples.size()) / 100.0;
  auto rank = static_cast<std::size_t>(std::ceil(exact - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, samples.size());
  return samples[rank - 1];
}

Summary summarize(const std::vector<double>& samples) {
  Summary summary;
  if (samples.empty()) return summary;
  summary.count = samples.size();
  const auto [low, high] = std::minmax_element(samples.begin(), samples.end());
  summary.min = *low;
  summary.max = *high;
  summary.mean =
      std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
  summary.p50 = percentile(samples, 50);
  summary.p99 = percentile(samples, 99);
  summary.p99_is_max = samples.size() < 100;
  return summary;
}

}  // namespace poolha::benchpool

// Order statistics of a benchmark's samples: p50, p99 and the extremes.
// Percentiles use the nearest-rank method (the smallest sample with at
// least p % of the samples at or below it), so every figure reported is a
// time that was actually measured, never an interpolation between two.
// With fewer than 100 samples the nearest rank of p99 is the last one:
// p99 is then the maximum, and the summary says so.
#pragma once

#include <cstddef>
#include <vector>

namespace poolha::benchpool {

// The nearest-rank percentile `p` (0 < p <= 100) of `samples`, which need
// not be sorted. Throws std::invalid_argument for no samples or p out of range.
double percentile(std::vector<double> samples, double p);

struct Summary {
  std::size_t count = 0;
  double min = 0;
  double mean = 0;
  double p50 = 0;
  double p99 = 0;
  double max = 0;
  // Fewer than 100 samples: p99 is the maximum by construction.
  bool p99_is_max = false;
};

// All zero (count 0) for no samples.
Summary summarize(const std::vector<double>& samples);

}  // namespace poolha::benchpool

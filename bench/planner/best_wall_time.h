// The best wall time of several runs of a call: the figure least disturbed
// by whatever else the machine does. Shared by the planner benchmark and the
// performance report, which time the same planner calls.
#pragma once

#include <chrono>

namespace poolha::bench {

// Best wall time of `runs` calls, in milliseconds.
template <typename Call>
double best_milliseconds(int runs, Call call) {
  double best = 0;
  for (int run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    call();
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (run == 0 || took.count() < best) best = took.count();
  }
  return best;
}

}  // namespace poolha::bench

// The two clocks the API reads: the host's monotonic clock for session
// idle times and event.from deadlines, and wall-clock time for the
// timestamps clients see. Passed in, so tests drive time themselves.
#pragma once

#include <chrono>
#include <functional>

#include "api/event_log.h"
#include "common/time.h"

namespace poolha::api {

struct ApiClocks {
  std::function<TimePoint()> monotonic;
  std::function<WallTime()> wall;

  // std::chrono::steady_clock and std::chrono::system_clock.
  static ApiClocks system() {
    return ApiClocks{[] {
                       return TimePoint(std::chrono::duration_cast<Duration>(
                           std::chrono::steady_clock::now().time_since_epoch()));
                     },
                     [] { return std::chrono::system_clock::now(); }};
  }
};

}  // namespace poolha::api

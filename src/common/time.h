// Time as the core sees it: a host's local monotonic clock, in microseconds.
// The core never reads a clock; drivers pass `now` in. Time points of two
// hosts are never compared with each other (no clock synchronisation).
#pragma once

#include <chrono>
#include <cstdint>

namespace poolha {

using Duration = std::chrono::microseconds;

// Tag clock for a host-local monotonic time line; it has no now() on purpose.
struct LocalClock {
  using duration = Duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<LocalClock, duration>;
  static constexpr bool is_steady = true;
};
using TimePoint = LocalClock::time_point;

inline constexpr std::int64_t to_us(TimePoint t) {
  return t.time_since_epoch().count();
}
inline constexpr TimePoint from_us(std::int64_t us) {
  return TimePoint(Duration(us));
}
inline constexpr std::int64_t to_ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}
inline constexpr double to_seconds(Duration d) {
  return static_cast<double>(d.count()) / 1e6;
}

using namespace std::chrono_literals;

}  // namespace poolha

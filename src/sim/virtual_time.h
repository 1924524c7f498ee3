// Simulated ("virtual") time: the one global time line of a simulation, in
// microseconds since the start of the run. Engines never see it; each host
// converts it to its own local monotonic clock (HostClock).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/time.h"

namespace poolha::sim {

struct VirtualClock {
  using duration = Duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<VirtualClock, duration>;
  static constexpr bool is_steady = true;
};
using VirtualTime = VirtualClock::time_point;

inline constexpr VirtualTime kSimStart{};
inline constexpr std::int64_t us_of(VirtualTime t) {
  return t.time_since_epoch().count();
}

// "  95.120s": fixed width so timeline lines align.
std::string format_virtual_time(VirtualTime t);

}  // namespace poolha::sim

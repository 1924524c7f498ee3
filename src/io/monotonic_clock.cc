// CLOCK_MONOTONIC read through clock_gettime.
#include "io/monotonic_clock.h"

#include <time.h>

#include <cerrno>
#include <system_error>

namespace poolha::io {

TimePoint MonotonicClock::now() const {
  timespec ts{};
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    throw std::system_error(errno, std::generic_category(), "clock_gettime(CLOCK_MONOTONIC)");
  }
  return from_us(static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000);
}

}  // namespace poolha::io

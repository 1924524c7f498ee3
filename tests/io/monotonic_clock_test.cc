// MonotonicClock: readings never go backwards and follow real time.
#include "io/monotonic_clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace poolha::io {
namespace {

TEST(MonotonicClock, AdvancesWithRealTime) {
  const MonotonicClock clock;
  const TimePoint before = clock.now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const TimePoint after = clock.now();
  EXPECT_GE(after - before, 20ms);
  EXPECT_GT(to_us(before), 0);
}

TEST(MonotonicClock, NeverGoesBackwards) {
  const MonotonicClock clock;
  TimePoint previous = clock.now();
  for (int i = 0; i < 1000; ++i) {
    const TimePoint now = clock.now();
    ASSERT_GE(now, previous);
    previous = now;
  }
}

}  // namespace
}  // namespace poolha::io

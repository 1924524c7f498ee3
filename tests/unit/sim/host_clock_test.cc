// A host's local monotonic clock: restarts at boot, drifts, and converts back
// to the earliest virtual instant at which it reads a given value.
#include <gtest/gtest.h>

#include "sim/host_clock.h"

namespace poolha::sim {
namespace {

VirtualTime vt(std::int64_t us) {
  return kSimStart + Duration(us);
}

TEST(HostClock, StartsAtTheBootReadingAndFollowsVirtualTime) {
  HostClock c;
  c.start(vt(5'000'000), from_us(20'000'000));
  EXPECT_EQ(to_us(c.local(vt(5'000'000))), 20'000'000);
  EXPECT_EQ(to_us(c.local(vt(6'500'000))), 21'500'000);
  EXPECT_EQ(c.virtual_at(from_us(21'500'000)), vt(6'500'000));
  // Readings from before the boot map to the boot instant.
  EXPECT_EQ(c.virtual_at(from_us(1)), vt(5'000'000));
}

TEST(HostClock, DriftRunsTheClockFastOrSlow) {
  HostClock fast;
  fast.start(kSimStart, from_us(0));
  fast.set_drift_ppm(1000, kSimStart);  // +0.1 %
  EXPECT_EQ(to_us(fast.local(vt(1'000'000))), 1'001'000);
  HostClock slow;
  slow.start(kSimStart, from_us(0));
  slow.set_drift_ppm(-1000, kSimStart);
  EXPECT_EQ(to_us(slow.local(vt(1'000'000))), 999'000);
}

TEST(HostClock, VirtualAtIsTheEarliestInstantReadingAtLeastTheTarget) {
  for (std::int32_t ppm : {-100'000, -1234, -1, 0, 1, 777, 5000, 100'000}) {
    HostClock c;
    c.start(vt(123), from_us(1'000'000'000));
    c.set_drift_ppm(ppm, vt(123));
    for (std::int64_t target = 1'000'000'000; target < 1'000'000'000 + 3'000'000;
         target += 99'991) {
      const VirtualTime v = c.virtual_at(from_us(target));
      EXPECT_GE(to_us(c.local(v)), target) << ppm;
      if (v > vt(123)) {
        EXPECT_LT(to_us(c.local(v - Duration(1))), target) << ppm;
      }
    }
  }
}

TEST(HostClock, ChangingDriftKeepsTheReadingContinuous) {
  HostClock c;
  c.start(kSimStart, from_us(0));
  const auto before = c.local(vt(10'000'000));
  c.set_drift_ppm(50'000, vt(10'000'000));
  EXPECT_EQ(c.local(vt(10'000'000)), before);
  EXPECT_EQ(to_us(c.local(vt(11'000'000))), to_us(before) + 1'050'000);
}

TEST(HostClock, NeverIsBeyondEveryRun) {
  HostClock c;
  c.start(kSimStart, from_us(0));
  EXPECT_EQ(c.virtual_at(TimePoint::max()), VirtualTime::max());
}

}  // namespace
}  // namespace poolha::sim

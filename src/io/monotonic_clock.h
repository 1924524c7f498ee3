// Where the daemon reads `now`: a host-local monotonic clock in microseconds,
// the time line the membership engine works on. Behind an interface so tests
// and the simulator can substitute their own clock.
#pragma once

#include "common/time.h"

namespace poolha::io {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// CLOCK_MONOTONIC: unaffected by wall-clock jumps, never goes backwards.
class MonotonicClock final : public Clock {
 public:
  TimePoint now() const override;
};

}  // namespace poolha::io

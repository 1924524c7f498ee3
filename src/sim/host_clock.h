// A host's local monotonic clock as a function of virtual time. It restarts
// at every boot (like CLOCK_MONOTONIC) and may run slightly fast or slow
// (drift in parts per million), so no two hosts ever share a time line.
#pragma once

#include <cstdint>

#include "common/time.h"
#include "sim/virtual_time.h"

namespace poolha::sim {

class HostClock {
 public:
  // From `at` on, the local clock reads `local_at_boot` and advances at
  // (1 + drift_ppm / 1e6) times the virtual rate.
  void start(VirtualTime at, TimePoint local_at_boot);
  void set_drift_ppm(std::int32_t ppm, VirtualTime now);
  std::int32_t drift_ppm() const { return drift_ppm_; }

  TimePoint local(VirtualTime v) const;
  // The earliest virtual time at which the local clock reads at least `t`
  // (never earlier than the last start); VirtualTime::max() for "never".
  VirtualTime virtual_at(TimePoint t) const;

 private:
  VirtualTime anchor_virtual_{};
  TimePoint anchor_local_{};
  std::int32_t drift_ppm_ = 0;
};

}  // namespace poolha::sim

#include "sim/host_clock.h"

namespace poolha::sim {

namespace {
constexpr std::int64_t kMillion = 1'000'000;
constexpr std::int64_t kFarFuture = std::int64_t{1} << 42;  // about 51 days, in microseconds

// floor(a / b) for b > 0.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
}  // namespace

void HostClock::start(VirtualTime at, TimePoint local_at_boot) {
  anchor_virtual_ = at;
  anchor_local_ = local_at_boot;
}

void HostClock::set_drift_ppm(std::int32_t ppm, VirtualTime now) {
  // Re-anchor so the reading stays continuous across the rate change.
  anchor_local_ = local(now);
  anchor_virtual_ = now;
  drift_ppm_ = ppm;
}

TimePoint HostClock::local(VirtualTime v) const {
  const std::int64_t elapsed = (v - anchor_virtual_).count();
  const std::int64_t skew = floor_div(elapsed * drift_ppm_, kMillion);
  return anchor_local_ + Duration(elapsed + skew);
}

VirtualTime HostClock::virtual_at(TimePoint t) const {
  const std::int64_t wanted = (t - anchor_local_).count();
  if (wanted <= 0) return anchor_virtual_;
  // Beyond any simulated run ("never"): also keeps the arithmetic below in range.
  if (wanted > kFarFuture) return VirtualTime::max();
  std::int64_t elapsed = wanted * kMillion / (kMillion + drift_ppm_);
  // The division above is within a step of the answer; settle it exactly.
  auto reading = [&](std::int64_t e) { return e + floor_div(e * drift_ppm_, kMillion); };
  while (elapsed > 0 && reading(elapsed - 1) >= wanted) --elapsed;
  while (reading(elapsed) < wanted) ++elapsed;
  return anchor_virtual_ + Duration(elapsed);
}

}  // namespace poolha::sim

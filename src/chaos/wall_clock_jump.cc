#include "chaos/wall_clock_jump.h"

#include <time.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace poolha::chaos {
namespace {

// Adds `seconds` to CLOCK_REALTIME; the read and the write are adjacent, so
// the time between them is lost at most once per call.
int shift_realtime(long long seconds) {
  timespec now{};
  if (::clock_gettime(CLOCK_REALTIME, &now) != 0) return errno;
  now.tv_sec += static_cast<time_t>(seconds);
  if (::clock_settime(CLOCK_REALTIME, &now) != 0) return errno;
  return 0;
}

}  // namespace

WallClockJumps::~WallClockJumps() {
  const long long back = offset_.count();
  if (back == 0) return;
  if (const int error = shift_realtime(-back); error != 0) {
    std::fprintf(stderr, "chaos: cannot set the wall clock back by %lld s: %s\n", back,
                 std::generic_category().message(error).c_str());
  }
}

void WallClockJumps::jump(std::chrono::seconds offset) {
  if (const int error = shift_realtime(offset.count()); error != 0) {
    throw std::system_error(error, std::generic_category(), "clock_settime(CLOCK_REALTIME)");
  }
  offset_ += offset;
}

void WallClockJumps::restore() {
  if (offset_.count() == 0) return;
  if (const int error = shift_realtime(-offset_.count()); error != 0) {
    throw std::system_error(error, std::generic_category(), "clock_settime(CLOCK_REALTIME)");
  }
  offset_ = std::chrono::seconds(0);
}

bool WallClockJumps::can_set_clock() {
  return shift_realtime(0) == 0;
}

}  // namespace poolha::chaos

// Wall-clock jumps for a chaos run. CLOCK_REALTIME is not namespaced, so a
// jump moves the clock of the whole machine; the daemons and the disk
// oracle measure with CLOCK_MONOTONIC and must not notice. The offset in
// force is remembered and taken back by restore() and by the destructor,
// so every way out of a run (an error, Ctrl-C unwinding the stack) leaves
// the clock where it would have been without the jump.
#pragma once

#include <chrono>

namespace poolha::chaos {

class WallClockJumps {
 public:
  WallClockJumps() = default;
  ~WallClockJumps();
  WallClockJumps(const WallClockJumps&) = delete;
  WallClockJumps& operator=(const WallClockJumps&) = delete;

  // Moves the wall clock by `offset` (on top of any jump in force). Throws
  // std::system_error when the clock cannot be set (no CAP_SYS_TIME).
  void jump(std::chrono::seconds offset);
  // Takes back every jump in force; nothing happens when none is.
  void restore();
  std::chrono::seconds offset() const { return offset_; }

  // Whether this process may set the wall clock (sets it to what it reads,
  // which moves it by at most the few nanoseconds between the two calls).
  static bool can_set_clock();

 private:
  std::chrono::seconds offset_{0};
};

}  // namespace poolha::chaos

// A one-shot timer on the event loop that fires at a time point of an
// io::Clock, the time line the failover state machines work on. Arming it
// again replaces the previous arming, and a cancelled or replaced arming
// never runs, even if its expiry was already queued on the loop.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>

#include "common/time.h"
#include "io/monotonic_clock.h"

namespace poolha::daemon {

class LoopTimer {
 public:
  LoopTimer(asio::any_io_executor loop, const io::Clock& clock);
  ~LoopTimer();
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;

  // Runs `work` on the loop at `at` (at once, through the loop, if `at` has passed).
  void arm_at(TimePoint at, std::function<void()> work);
  void arm_after(Duration delay, std::function<void()> work);
  void cancel();

 private:
  asio::steady_timer timer_;
  const io::Clock& clock_;
  // Shared with pending waits: they run only while it lives and still holds
  // the arming they were made for.
  std::shared_ptr<std::uint64_t> arming_;
};

}  // namespace poolha::daemon

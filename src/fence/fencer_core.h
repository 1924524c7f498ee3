// The process fencer's decisions, without I/O: a countdown armed with a
// timeout and restarted by kicks, like a hardware watchdog, plus the ways an
// armed host is fenced at once (the daemon asks, disconnects, or the fencer
// is stopped). The shell (ProcessFencer) feeds it the daemon's requests and
// timer ticks and carries out every FenceOrder it hands back.
#pragma once

#include <optional>
#include <string>

#include "common/time.h"
#include "fence/fence_cause.h"

namespace poolha::fence {

struct FenceOrder {
  FenceCause cause = FenceCause::kEngineRequest;
  std::string reason;
  TimePoint decided_at{};
};

class FencerCore {
 public:
  // Starts (or restarts with a new timeout) the countdown; counts as a kick.
  // `timeout` must be positive.
  void arm(TimePoint now, Duration timeout);
  // False when disarmed: there is no countdown to restart. A kick that
  // arrives at or after the deadline is too late: the fence has been decided.
  bool kick(TimePoint now);
  void disarm(TimePoint now);
  // Fences at once while armed; false (and nothing fenced) while disarmed.
  bool fence_request(TimePoint now, std::string reason);
  // The daemon's connection closed. Fences while armed.
  void peer_gone(TimePoint now);
  // The fencer itself is stopping. Fences while armed, as a watchdog device
  // closed without the magic character would.
  void stopping(TimePoint now);
  void tick(TimePoint now);

  // A decided fence, once. Deciding a fence disarms the core.
  std::optional<FenceOrder> take_fence();
  // When tick() must run next; std::nullopt while disarmed.
  std::optional<TimePoint> deadline() const;
  bool armed() const { return armed_; }
  Duration timeout() const { return timeout_; }

 private:
  // Every input first checks the countdown, so a late input cannot rescue a
  // host whose deadline already passed.
  void advance(TimePoint now);
  void decide(TimePoint now, FenceCause cause, std::string reason);

  bool armed_ = false;
  Duration timeout_{};
  TimePoint last_kick_{};
  TimePoint last_input_{};
  std::optional<FenceOrder> order_;
};

}  // namespace poolha::fence

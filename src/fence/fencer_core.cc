#include "fence/fencer_core.h"

#include <fmt/format.h>

#include <utility>

#include "common/check.h"

namespace poolha::fence {

void FencerCore::advance(TimePoint now) {
  POOLHA_CHECK(now >= last_input_, "fencer time went backwards");
  last_input_ = now;
  if (armed_ && now >= last_kick_ + timeout_) {
    decide(now, FenceCause::kMissedKicks,
           fmt::format("no kick for {} ms (watchdog timeout {} ms)", to_ms(now - last_kick_),
                       to_ms(timeout_)));
  }
}

void FencerCore::decide(TimePoint now, FenceCause cause, std::string reason) {
  POOLHA_CHECK(armed_, "only an armed fencer fences");
  POOLHA_CHECK(!order_.has_value(), "a fence order is still waiting to be carried out");
  armed_ = false;
  order_ = FenceOrder{cause, std::move(reason), now};
}

void FencerCore::arm(TimePoint now, Duration timeout) {
  POOLHA_CHECK(timeout > Duration::zero(), "watchdog timeout must be positive");
  advance(now);
  if (order_) return;  // the deadline passed before this arm arrived
  armed_ = true;
  timeout_ = timeout;
  last_kick_ = now;
}

bool FencerCore::kick(TimePoint now) {
  advance(now);
  if (!armed_) return false;
  last_kick_ = now;
  return true;
}

void FencerCore::disarm(TimePoint now) {
  advance(now);
  armed_ = false;
}

bool FencerCore::fence_request(TimePoint now, std::string reason) {
  advance(now);
  if (!armed_) return false;
  decide(now, FenceCause::kEngineRequest, std::move(reason));
  return true;
}

void FencerCore::peer_gone(TimePoint now) {
  advance(now);
  if (armed_) decide(now, FenceCause::kDaemonGone, "the daemon's connection to the fencer closed");
}

void FencerCore::stopping(TimePoint now) {
  advance(now);
  if (armed_) decide(now, FenceCause::kFencerStopped, "the fencer was stopped while armed");
}

void FencerCore::tick(TimePoint now) {
  advance(now);
}

std::optional<FenceOrder> FencerCore::take_fence() {
  return std::exchange(order_, std::nullopt);
}

std::optional<TimePoint> FencerCore::deadline() const {
  if (!armed_) return std::nullopt;
  return last_kick_ + timeout_;
}

}  // namespace poolha::fence

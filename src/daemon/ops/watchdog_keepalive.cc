#include "daemon/ops/watchdog_keepalive.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <optional>

namespace poolha::daemon {

// Shared with the pending timer handler, so a handler already queued when the
// owner goes away finds `stopped` instead of a destroyed object.
struct WatchdogKeepalive::State {
  State(asio::io_context& loop, SystemdNotifier& n) : timer(loop), notifier(n) {}

  asio::steady_timer timer;
  SystemdNotifier& notifier;
  Duration interval{};
  bool stopped = true;
  bool failing = false;  // the last keep-alive failed; log only changes

  void send() {
    try {
      notifier.keepalive();
      if (failing) spdlog::info("systemd watchdog: keep-alives are delivered again");
      failing = false;
    } catch (const std::exception& error) {
      if (!failing) spdlog::warn("systemd watchdog: keep-alive not delivered: {}", error.what());
      failing = true;
    }
  }

  static void schedule(const std::shared_ptr<State>& state) {
    state->timer.expires_after(state->interval);
    state->timer.async_wait([state](const std::error_code& error) {
      if (error || state->stopped) return;
      state->send();
      schedule(state);
    });
  }
};

WatchdogKeepalive::WatchdogKeepalive(asio::io_context& loop, SystemdNotifier& notifier)
    : state_(std::make_shared<State>(loop, notifier)) {}

WatchdogKeepalive::~WatchdogKeepalive() {
  stop();
}

bool WatchdogKeepalive::start() {
  const std::optional<Duration> interval = state_->notifier.watchdog_interval();
  if (!interval) return false;
  if (!state_->stopped) return true;
  state_->interval = *interval;
  state_->stopped = false;
  state_->send();
  State::schedule(state_);
  return true;
}

void WatchdogKeepalive::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

}  // namespace poolha::daemon

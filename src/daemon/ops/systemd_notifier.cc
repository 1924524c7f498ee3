#include "daemon/ops/systemd_notifier.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace poolha::daemon {
namespace {

constexpr std::uint64_t kShortestWatchdogUsec = 20'000;

}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  if (!active_) return;
  socket_ = socket;
  std::uint64_t usec = 0;
  // Also false when WATCHDOG_PID names another process: the settings were
  // meant for a parent that started this one.
  const int enabled = sd_watchdog_enabled(0, &usec);
  if (enabled < 0) {
    throw std::system_error(-enabled, std::generic_category(),
                            "cannot read systemd's watchdog settings (WATCHDOG_USEC)");
  }
  if (enabled == 0) return;
  // The loop's timer cannot keep up with intervals far below its own latency.
  if (usec < kShortestWatchdogUsec) {
    throw std::runtime_error(fmt::format(
        "systemd's watchdog timeout of {} us is too short; WatchdogSec= must be at least {} ms",
        usec, kShortestWatchdogUsec / 1000));
  }
  watchdog_interval_ = Duration(static_cast<Duration::rep>(usec / 2));
}

void SystemdNotifier::send(const std::string& message) {
  if (!active_) return;
  const int sent = sd_notify(0, message.c_str());
  if (sent < 0) {
    throw std::system_error(-sent, std::generic_category(),
                            fmt::format("cannot notify systemd at {} of {}", socket_,
                                        message.substr(0, message.find('='))));
  }
}

void SystemdNotifier::ready() {
  send("READY=1");
}

void SystemdNotifier::status(std::string_view text) {
  std::string line(text);
  std::replace(line.begin(), line.end(), '\n', ' ');
  send("STATUS=" + line);
}

void SystemdNotifier::stopping() {
  send("STOPPING=1");
}

void SystemdNotifier::keepalive() {
  send("WATCHDOG=1");
}

}  // namespace poolha::daemon

// Tells systemd how the daemon is doing (sd_notify): READY=1 once it serves,
// STATUS= lines for `systemctl status`, STOPPING=1 on the way out, and
// WATCHDOG=1 keep-alives when the unit has WatchdogSec= set.
//
// The keep-alives are sent from a timer on the event loop (see
// WatchdogKeepalive), never from a thread of their own: a hung loop then stops
// them and systemd restarts the daemon.
//
// Outside systemd (NOTIFY_SOCKET unset) every call does nothing; that is the
// normal case for a daemon started by hand, not an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace poolha::daemon {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once. Throws
  // std::system_error when systemd's watchdog settings cannot be parsed, and
  // std::runtime_error for a watchdog timeout under 20 ms.
  SystemdNotifier();

  // Whether systemd listens (NOTIFY_SOCKET is set).
  bool active() const { return active_; }

  // Each call throws std::system_error when the message cannot be sent to
  // NOTIFY_SOCKET; without one it does nothing.
  void ready();
  // Newlines in `text` become spaces: a newline would start another
  // assignment in the notify message.
  void status(std::string_view text);
  void stopping();
  void keepalive();

  // How often to call keepalive(): half of the unit's WatchdogSec, so one late
  // keep-alive is not yet fatal. std::nullopt when systemd does not watch
  // this process.
  std::optional<Duration> watchdog_interval() const { return watchdog_interval_; }

 private:
  void send(const std::string& message);

  bool active_ = false;
  std::string socket_;
  std::optional<Duration> watchdog_interval_;
};

}  // namespace poolha::daemon

// Sends systemd's watchdog keep-alives from a timer on the daemon's event
// loop. Because the loop itself sends them, a loop that hangs stops them and
// systemd restarts the daemon (the unit's WatchdogSec=); a separate thread
// would keep a hung daemon looking healthy.
#pragma once

#include <asio.hpp>
#include <memory>

#include "daemon/ops/systemd_notifier.h"

namespace poolha::daemon {

class WatchdogKeepalive {
 public:
  // `notifier` must outlive this object's started period.
  WatchdogKeepalive(asio::io_context& loop, SystemdNotifier& notifier);
  // Stops the keep-alives.
  ~WatchdogKeepalive();
  WatchdogKeepalive(const WatchdogKeepalive&) = delete;
  WatchdogKeepalive& operator=(const WatchdogKeepalive&) = delete;

  // On the loop's thread: sends one keep-alive at once and one every
  // notifier.watchdog_interval() after. Returns false, and does nothing, when
  // systemd does not watch this process. A keep-alive that cannot be sent is
  // logged and the timer goes on: if they keep failing, systemd restarts the
  // daemon, which is the right answer to a broken notify socket.
  bool start();
  // On the loop's thread: no keep-alive is sent after this returns.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace poolha::daemon

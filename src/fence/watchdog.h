// How a host that must die stops its VMs. The daemon drives one Watchdog from
// the engine's Ready: kick on WatchdogAction::kKick (arming first if needed),
// disarm on kDisarm, fence_now on `fence`. Two implementations: LinuxWatchdog
// (a kernel watchdog device, reboot through sysrq) and ProcessFencerClient
// (the `poolha fencer` supervisor, for machines without a watchdog device).
// docs/fencing.md explains what each guarantees.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "common/time.h"

namespace poolha::fence {

// The fencer could not do what was asked. For arm and kick this means the
// host is no longer protected: the daemon must stop acting as a live member.
class FenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Watchdog {
 public:
  virtual ~Watchdog() = default;

  // Whether a working fencer is present, without arming it: std::nullopt
  // when it is, otherwise why not (for the error that refuses to enable HA).
  virtual std::optional<std::string> check() = 0;

  // From now on the host is fenced unless kick() is called at least every
  // `timeout`. Arming an armed watchdog changes its timeout and kicks it.
  virtual void arm(Duration timeout) = 0;
  virtual void kick() = 0;
  // Stops the countdown; nothing is fenced afterwards until the next arm.
  virtual void disarm() = 0;

  // Records `reason` and stops the host's VMs at once. In production this
  // does not return (the machine reboots or the daemon is killed). It
  // returns only where the final step is observable instead (a test's fake
  // sysrq file); it throws FenceError when the fence could not be carried
  // out, and the caller must then stop kicking and exit.
  virtual void fence_now(const std::string& reason) = 0;
};

}  // namespace poolha::fence

// What the driver knows about its domains, shared by three threads: the
// owner's (running()), the worker that calls libvirt, and libvirt's event
// loop thread. Every member function takes the lock and none calls libvirt,
// so no thread waits on another's libvirt call.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vm/vm_driver.h"

namespace poolha::vm::libvirt {

class DomainTracker {
 public:
  // A start was asked for: listed as running from now on, like a booting
  // guest, until the start ends.
  void start_requested(const std::string& uuid);
  // `running`: whether the domain runs now.
  void start_finished(const std::string& uuid, bool running);

  // The domain is one of this driver's: its events count from now on and
  // running() lists it while it is active.
  void adopt(const std::string& uuid);
  bool adopted(const std::string& uuid) const;

  // This driver is about to stop the domain: its next stop is not a halt.
  void stop_requested(const std::string& uuid);
  // `running`: whether the domain still runs; then its next stop is not
  // this driver's doing any more.
  void stop_finished(const std::string& uuid, bool running);

  // A lifecycle event of any domain on the connection; the halt to report.
  std::optional<HaltCause> lifecycle_event(const std::string& uuid, int event, int detail);

  // Active and booting domains of this driver, sorted.
  std::vector<std::string> running() const;
  // Whether libvirt's domains were listed at least once: before that, the
  // active set holds only what this driver started itself.
  bool listed() const;

  // Counts changes to the set of active domains. A listing of active
  // domains taken at one count is stale once the count moved on.
  std::uint64_t version() const;
  // Replaces the active set with a listing taken at `listed_at`; returns
  // false and changes nothing when the listing is stale.
  bool replace_active(std::set<std::string> active, std::uint64_t listed_at);
  // After a reconnect, when every event of the old connection is lost:
  // replaces the active set and returns the domains that were active and are
  // not any more although this driver did not stop them. They halted unseen.
  // Stop requests of domains no longer active are done: their stop event
  // went with the old connection.
  std::vector<std::string> resync(std::set<std::string> active);

 private:
  mutable std::mutex mutex_;
  std::set<std::string> adopted_;
  std::set<std::string> active_;
  std::set<std::string> stopping_;
  std::map<std::string, int> booting_;  // starts in progress per domain
  std::uint64_t version_ = 0;
  bool listed_ = false;
};

}  // namespace poolha::vm::libvirt

// What the membership driver reports to its owner (the daemon, the API): the
// host's HA state as one value, the per-host reachability the API shows, and
// the listener interface through which status changes and every engine event
// are delivered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/host_set.h"
#include "ha/engine.h"
#include "ha/timing.h"
#include "wire/view.h"

namespace poolha::daemon {

struct MembershipStatus {
  bool ha_on = false;             // an engine drives this host's membership
  std::string off_reason;         // when !ha_on: why (not enabled, disabled, no fencer, ...)
  std::uint64_t generation = 0;   // the engine's HA-enable generation; while off, the last seen
  std::uint32_t incarnation = 0;  // the engine's incarnation (when ha_on)
  wire::Phase phase = wire::Phase::kBooting;  // when ha_on
  wire::Membership announced;                 // the liveset this host reports outward
  bool is_master = false;
  bool watchdog_armed = false;       // as driven by this driver (stays true after a fence)
  std::optional<ha::Timing> timing;  // when ha_on
  // When !ha_on: the last engine ended by leaving its liveset cleanly (the
  // others count its VMs as stopped). Its status reports HA off in the same
  // step, so this is how a host shutting down learns that it has left.
  bool left_cleanly = false;
};

// Whether two statuses differ in anything the owner is told about.
bool same_status(const MembershipStatus& a, const MembershipStatus& b);

// One host as this host's engine sees it.
struct HostReachability {
  HostIndex host = 0;
  bool live = false;       // in the announced liveset
  bool heartbeat = false;  // heard on the network, both ways
  bool statefile = false;  // its statefile slot is seen advancing
};

class MembershipListener {
 public:
  virtual ~MembershipListener() = default;
  // Every change of the status. Called on the driver's io_context.
  virtual void on_status(const MembershipStatus& status) = 0;
  // Every event of the engine (phases, livesets, alerts, notes, fences).
  virtual void on_event(const ha::Event& event) = 0;
};

}  // namespace poolha::daemon

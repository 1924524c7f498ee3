// The HA alerts the daemon posts to the event log, named and prioritised as
// xapi's messages (api_messages.ml), so a cloud manager watching xapi's
// message stream understands them unchanged.
#pragma once

#include <cstdint>
#include <string>

#include "api/event_log.h"

namespace poolha::api {

struct AlertKind {
  const char* name;
  std::int64_t priority;  // 1 critical .. 5 informational
};

// A host left the liveset; its protected VMs will be restarted elsewhere.
inline constexpr AlertKind kHaHostFailed{"HA_HOST_FAILED", 3};
// A failed host is confirmed fenced: its fence deadline has passed, so
// nothing of it runs any more and its VMs may safely run elsewhere. This is
// the signal a cloud manager that restarts VMs itself waits for.
inline constexpr AlertKind kHaHostWasFenced{"HA_HOST_WAS_FENCED", 4};
inline constexpr AlertKind kHaStatefileLost{"HA_STATEFILE_LOST", 2};
inline constexpr AlertKind kHaPoolOvercommitted{"HA_POOL_OVERCOMMITTED", 3};
inline constexpr AlertKind kHaPoolDropInPlanExistsFor{"HA_POOL_DROP_IN_PLAN_EXISTS_FOR", 3};
inline constexpr AlertKind kHaProtectedVmRestartFailed{"HA_PROTECTED_VM_RESTART_FAILED", 2};

// cls is the class of the object concerned: "Host", "VM", "Pool" or "SR".
inline Message make_alert(const AlertKind& kind, std::string cls, std::string obj_uuid,
                          std::string body) {
  return Message{kind.name, kind.priority, std::move(cls), std::move(obj_uuid), std::move(body)};
}

}  // namespace poolha::api

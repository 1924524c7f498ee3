// The pool-wide record: identity, master and HA configuration.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace poolha::pool {

inline constexpr std::int64_t kDefaultHaTimeoutSeconds = 60;  // xapi's default T
inline constexpr std::int64_t kMaxHaTimeoutSeconds = 86400;
// The ha_configuration key that sets the timeout on enable, as in
// `xe pool-ha-enable ha-config:timeout=90`.
inline constexpr const char* kHaConfigTimeoutKey = "timeout";

struct Pool {
  std::string uuid;
  std::string name_label;
  std::string master;  // host uuid; empty only before the first master takes over
  bool ha_enabled = false;
  // Free-form key/value configuration given at enable time. Unlike xapi, the
  // timeout does not live only here: when present, "timeout" mirrors ha_timeout.
  std::map<std::string, std::string> ha_configuration;
  // The HA timeout T in seconds. Persistent: it survives disable and
  // re-enable, an enable without ha-config:timeout keeps it, and it may change
  // while HA is on.
  std::int64_t ha_timeout = kDefaultHaTimeoutSeconds;
  std::int64_t ha_host_failures_to_tolerate = 0;  // the operator's target
  std::int64_t ha_plan_exists_for = 0;            // failures the current plan survives
  bool ha_overcommitted = false;
  bool ha_allow_overcommit = false;
  // Restart a protected VM that shut down from inside the guest.
  bool ha_reboot_vm_on_internal_shutdown = true;
  std::vector<std::string> ha_statefiles;  // heartbeat SR uuids

  friend bool operator==(const Pool&, const Pool&) = default;
};

}  // namespace poolha::pool

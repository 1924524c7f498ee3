// A VM's HA restart priority. The strings are xapi's values verbatim, so
// `xe vm-param-set ha-restart-priority=...` and the API round-trip unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace poolha::pool {

enum class RestartPriority : std::uint8_t {
  kUnprotected,  // ""            never restarted by HA
  kBestEffort,   // "best-effort" restarted if capacity remains, after protected VMs
  kRestart,      // "restart"     protected (when ha_always_run is also set)
};

std::string_view to_string(RestartPriority priority);
std::optional<RestartPriority> parse_restart_priority(std::string_view text);

}  // namespace poolha::pool

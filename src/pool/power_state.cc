#include "pool/power_state.h"

namespace poolha::pool {

std::string_view to_string(PowerState state) {
  switch (state) {
    case PowerState::kHalted:
      return "Halted";
    case PowerState::kPaused:
      return "Paused";
    case PowerState::kRunning:
      return "Running";
    case PowerState::kSuspended:
      return "Suspended";
  }
  return "?";
}

std::optional<PowerState> parse_power_state(std::string_view text) {
  for (PowerState s :
       {PowerState::kHalted, PowerState::kPaused, PowerState::kRunning, PowerState::kSuspended}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace poolha::pool

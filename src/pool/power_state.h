// A VM's power state, spelled exactly as xapi spells it on the API.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace poolha::pool {

enum class PowerState : std::uint8_t { kHalted, kPaused, kRunning, kSuspended };

// "Halted", "Paused", "Running", "Suspended".
std::string_view to_string(PowerState state);
std::optional<PowerState> parse_power_state(std::string_view text);

}  // namespace poolha::pool

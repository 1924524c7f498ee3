#include "fence/fence_cause.h"

#include <array>
#include <utility>

namespace poolha::fence {
namespace {

constexpr std::array<std::pair<FenceCause, std::string_view>, 4> kNames = {{
    {FenceCause::kEngineRequest, "engine"},
    {FenceCause::kMissedKicks, "missed-kicks"},
    {FenceCause::kDaemonGone, "daemon-gone"},
    {FenceCause::kFencerStopped, "fencer-stopped"},
}};

}  // namespace

std::string_view cause_name(FenceCause cause) {
  for (const auto& [value, name] : kNames) {
    if (value == cause) return name;
  }
  return "unknown";
}

std::optional<FenceCause> parse_cause(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::string_view cause_explanation(FenceCause cause) {
  switch (cause) {
    case FenceCause::kEngineRequest:
      return "the HA engine decided this host must stop";
    case FenceCause::kMissedKicks:
      return "the daemon stopped kicking the watchdog (hung, stopped or overloaded)";
    case FenceCause::kDaemonGone:
      return "the daemon disconnected from the fencer while HA was armed (crashed or killed)";
    case FenceCause::kFencerStopped:
      return "the fencer was stopped while HA was armed";
  }
  return "unknown cause";
}

}  // namespace poolha::fence

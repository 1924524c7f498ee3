#include "wire/phase_name.h"

#include <array>

namespace poolha::wire {

namespace {
constexpr std::array<std::string_view, kPhaseCount> kNames{
    "booting", "emergency", "joining", "member", "left", "fenced", "disabled"};
}  // namespace

std::string_view phase_name(Phase p) {
  const auto i = static_cast<std::size_t>(p);
  return i < kNames.size() ? kNames[i] : "?";
}

std::optional<Phase> phase_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<Phase>(i);
  return std::nullopt;
}

}  // namespace poolha::wire

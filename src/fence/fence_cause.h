// Who decided that a host fences. Recorded in the fence reason file so an
// operator can tell "the engine lost the liveset" from "the daemon hung".
#pragma once

#include <optional>
#include <string_view>

namespace poolha::fence {

enum class FenceCause {
  kEngineRequest,  // the membership engine asked to fence, with its reason
  kMissedKicks,    // armed, and no kick arrived within the timeout
  kDaemonGone,     // the daemon disconnected from the fencer while armed
  kFencerStopped,  // the fencer was told to stop while armed
};

// Stable names used in the reason file: "engine", "missed-kicks", ...
std::string_view cause_name(FenceCause cause);
std::optional<FenceCause> parse_cause(std::string_view name);
// One sentence for operators.
std::string_view cause_explanation(FenceCause cause);

}  // namespace poolha::fence

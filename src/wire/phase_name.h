// Engine phases by name, as timelines, scenario files and events spell them.
#pragma once

#include <optional>
#include <string_view>

#include "wire/view.h"

namespace poolha::wire {

std::string_view phase_name(Phase p);  // "member", "emergency", ...
std::optional<Phase> phase_from_name(std::string_view name);

}  // namespace poolha::wire

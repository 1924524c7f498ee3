// Engine phases by the names scenario files and timelines use.
#pragma once

#include <optional>
#include <string_view>

#include "wire/view.h"

namespace poolha::sim {

std::string_view phase_name(wire::Phase p);  // "member", "emergency", ...
std::optional<wire::Phase> phase_from_name(std::string_view name);

}  // namespace poolha::sim

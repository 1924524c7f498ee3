// Durations on the command line: "30s", "500ms", or a bare number of seconds.
#pragma once

#include <optional>
#include <string>

#include "common/time.h"
#include "sim/duration_text.h"

namespace poolha::cli {

inline std::optional<Duration> parse_duration_option(const std::string& text) {
  if (auto d = sim::parse_duration(text)) return d;
  if (auto seconds = sim::parse_unsigned(text, 1'000'000'000))
    return Duration(static_cast<Duration::rep>(*seconds) * 1'000'000);
  return std::nullopt;
}

}  // namespace poolha::cli

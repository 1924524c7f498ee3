// Durations and percentages as scenario files and the timeline write them:
// "30s", "500ms", "1.5s", "2m", "250us", "+3600s"; "30%", "0.5%".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace poolha::sim {

// Units: us, ms, s, m, h. Up to six decimals; a sign only if `allow_sign`.
std::optional<Duration> parse_duration(std::string_view text, bool allow_sign = false);
// The shortest exact form: "30s", "1.5s", "500ms", "250us", "-10s".
std::string format_duration(Duration d);

// "30%" or "0.25%" to parts per million; must be within 0..100 %.
std::optional<std::uint32_t> parse_percent_ppm(std::string_view text);
std::string format_percent_ppm(std::uint32_t ppm);

// A non-negative decimal integer that fits `max`.
std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max);

}  // namespace poolha::sim

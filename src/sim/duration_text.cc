#include "sim/duration_text.h"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <utility>

namespace poolha::sim {

namespace {

// Parses "123.456" into a value scaled by 10^decimals; false on junk or overflow.
bool parse_fixed(std::string_view text, int decimals, std::int64_t& out) {
  if (text.empty()) return false;
  std::int64_t whole = 0;
  std::size_t i = 0;
  bool any_digit = false;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (whole > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return false;
    whole = whole * 10 + (text[i] - '0');
    any_digit = true;
  }
  std::int64_t fraction = 0;
  int fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (fraction_digits == decimals) return false;  // more precision than we keep
      fraction = fraction * 10 + (text[i] - '0');
      ++fraction_digits;
      any_digit = true;
    }
  }
  if (!any_digit || i != text.size()) return false;
  std::int64_t scale = 1;
  for (int d = 0; d < decimals; ++d) scale *= 10;
  for (int d = fraction_digits; d < decimals; ++d) fraction *= 10;
  if (whole > (std::numeric_limits<std::int64_t>::max() - fraction) / scale) return false;
  out = whole * scale + fraction;
  return true;
}

struct Unit {
  std::string_view suffix;
  std::int64_t micros;
};
// Longest suffixes first so "ms" is not read as "m" + junk.
constexpr std::array<Unit, 5> kUnits{
    {{"us", 1}, {"ms", 1'000}, {"s", 1'000'000}, {"m", 60'000'000}, {"h", 3'600'000'000}}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, bool allow_sign) {
  std::int64_t sign = 1;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    if (!allow_sign) return std::nullopt;
    sign = text.front() == '-' ? -1 : 1;
    text.remove_prefix(1);
  }
  for (const Unit& unit : kUnits) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    const std::string_view number = text.substr(0, text.size() - unit.suffix.size());
    std::int64_t micro_units = 0;  // value * 1e6
    if (!parse_fixed(number, 6, micro_units)) return std::nullopt;
    // micro_units * micros / 1e6 without overflowing for sane inputs.
    const std::int64_t whole = micro_units / 1'000'000;
    const std::int64_t part = micro_units % 1'000'000;
    if (whole > std::numeric_limits<std::int64_t>::max() / unit.micros / 2) return std::nullopt;
    const std::int64_t us = whole * unit.micros + part * unit.micros / 1'000'000;
    return Duration(sign * us);
  }
  return std::nullopt;
}

std::string format_duration(Duration d) {
  std::int64_t us = d.count();
  std::string_view sign;
  if (us < 0) {
    sign = "-";
    us = -us;
  }
  if (us == 0) return "0s";
  if (us % 1'000'000 == 0) return fmt::format("{}{}s", sign, us / 1'000'000);
  if (us >= 1'000'000) {
    std::string frac = fmt::format("{:06}", us % 1'000'000);
    while (frac.back() == '0') frac.pop_back();
    return fmt::format("{}{}.{}s", sign, us / 1'000'000, frac);
  }
  if (us % 1'000 == 0) return fmt::format("{}{}ms", sign, us / 1'000);
  return fmt::format("{}{}us", sign, us);
}

std::optional<std::uint32_t> parse_percent_ppm(std::string_view text) {
  if (!text.ends_with('%')) return std::nullopt;
  text.remove_suffix(1);
  std::int64_t value = 0;  // percent * 1e4 = ppm
  if (!parse_fixed(text, 4, value) || value > 1'000'000) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

std::string format_percent_ppm(std::uint32_t ppm) {
  if (ppm % 10'000 == 0) return fmt::format("{}%", ppm / 10'000);
  std::string frac = fmt::format("{:04}", ppm % 10'000);
  while (frac.back() == '0') frac.pop_back();
  return fmt::format("{}.{}%", ppm / 10'000, frac);
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace poolha::sim

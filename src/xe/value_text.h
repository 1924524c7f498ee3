// Parsing of the textual values xe accepts for booleans and integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace poolha::xe {

// xe's booleans: true/t/yes/y/1 and false/f/no/n/0, in any letter case.
std::optional<bool> parse_bool(std::string_view text);

// A whole decimal number with an optional sign that fits in 64 bits.
std::optional<std::int64_t> parse_int64(std::string_view text);

}  // namespace poolha::xe

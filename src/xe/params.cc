#include "xe/params.h"

#include <algorithm>
#include <array>

#include "xe/cli_error.h"
#include "xe/value_text.h"

namespace poolha::xe {

bool Params::has(std::string_view key) const {
  return find(key).has_value();
}

std::optional<std::string> Params::find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

const std::string& Params::required(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  throw ParamNotFound(std::string(key));
}

bool Params::flag(std::string_view key) const {
  const auto text = find(key);
  if (!text) return false;
  const auto value = parse_bool(*text);
  if (!value) {
    throw CliFailure("Failed to parse parameter '" + std::string(key) +
                     "': Expected 'true','t','yes','y','1','false','f','no','n','0' got " + *text);
  }
  return *value;
}

std::map<std::string, std::string> Params::map_param(std::string_view prefix) const {
  const std::string head = std::string(prefix) + ":";
  std::map<std::string, std::string> result;
  for (const auto& [k, v] : entries_) {
    if (k.size() > head.size() && k.compare(0, head.size(), head) == 0) {
      result.emplace(k.substr(head.size()), v);
    }
  }
  return result;
}

bool is_standard_param(std::string_view key) {
  // xe lets every command carry these. The connection ones are normally
  // consumed before the command sees its parameters. xe's other standard
  // parameters (all, message-priority, trace) have no effect here, so they
  // are not accepted rather than silently ignored.
  constexpr std::array<std::string_view, 7> kStandard = {
      "server", "password", "port", "username", "minimal", "force", "multiple"};
  return std::find(kStandard.begin(), kStandard.end(), key) != kStandard.end();
}

}  // namespace poolha::xe

// The parameters of one xe command, in command-line order: key=value pairs,
// and switches such as --force stored as force=true, as xe does. A key may
// appear more than once; lookups see its first occurrence.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poolha::xe {

using Param = std::pair<std::string, std::string>;

class Params {
 public:
  Params() = default;
  explicit Params(std::vector<Param> entries) : entries_(std::move(entries)) {}

  const std::vector<Param>& entries() const { return entries_; }
  void append(Param param) { entries_.push_back(std::move(param)); }

  bool has(std::string_view key) const;
  std::optional<std::string> find(std::string_view key) const;
  // Throws ParamNotFound naming the key.
  const std::string& required(std::string_view key) const;
  // A boolean parameter: false when absent; throws CliFailure for a value
  // that is not one of xe's booleans.
  bool flag(std::string_view key) const;
  // The entries "<prefix>:<key>=<value>" as a map from key to value, e.g.
  // prefix "ha-config" turns ha-config:timeout=90 into {"timeout": "90"}.
  std::map<std::string, std::string> map_param(std::string_view prefix) const;

 private:
  std::vector<Param> entries_;
};

// The parameters every xe command accepts without declaring them.
bool is_standard_param(std::string_view key);

}  // namespace poolha::xe

// Internal to the JSON codecs: reads the fields of one JSON object with type
// and range checks, remembers the first problem (naming its path, e.g.
// "vms[3].memory_static_max"), and rejects fields it was never asked for. A
// decoder reads straight through and checks finish() once; after an error the
// readers return defaults and touch nothing.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pool/error.h"

namespace poolha::pool::json_detail {

class ObjectReader {
 public:
  // `value` must outlive the reader; if it is not an object that is the error.
  ObjectReader(const nlohmann::json& value, std::string path);

  bool has(std::string_view key) const;
  std::string string(std::string_view key);
  std::int64_t int64(std::string_view key);
  std::uint32_t uint32(std::string_view key);
  bool boolean(std::string_view key);
  std::map<std::string, std::string> string_map(std::string_view key);
  std::vector<std::string> string_list(std::string_view key);
  // The array's elements, to be read by the caller; empty on error.
  std::vector<const nlohmann::json*> array(std::string_view key);
  // The nested value (checked to be an object), or nullptr on error.
  const nlohmann::json* object(std::string_view key);

  // Records a problem found by the caller, e.g. a string outside an enum.
  void fail(std::string_view key, std::string_view problem);
  bool failed() const { return error_.has_value(); }
  std::string path_of(std::string_view key) const;

  // The first error, or an unknown field.
  Status finish();

 private:
  // The field, or nullptr (error recorded) when missing or of another type.
  const nlohmann::json* field(std::string_view key,
                              bool (nlohmann::json::*is_type)() const noexcept,
                              std::string_view type_name);

  const nlohmann::json& value_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
  std::optional<Error> error_;
};

// Text -> JSON without exceptions; kMalformed when it does not parse.
Result<nlohmann::json> parse_json(std::string_view text);
// JSON -> compact text. Never throws: invalid UTF-8 (which the database never
// holds) is written as U+FFFD.
std::string dump_json(const nlohmann::json& value);

}  // namespace poolha::pool::json_detail

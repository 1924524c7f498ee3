#include "pool/json_object_reader.h"

#include <fmt/format.h>
#include <limits>

namespace poolha::pool::json_detail {

using nlohmann::json;

ObjectReader::ObjectReader(const json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    error_ = Error{ErrorCode::kMalformed,
                   fmt::format("{}: expected an object", path_.empty() ? "(top)" : path_)};
  }
}

std::string ObjectReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

void ObjectReader::fail(std::string_view key, std::string_view problem) {
  if (!error_) error_ = Error{ErrorCode::kMalformed, fmt::format("{}: {}", path_of(key), problem)};
}

bool ObjectReader::has(std::string_view key) const {
  return value_.is_object() && value_.contains(std::string(key));
}

const json* ObjectReader::field(std::string_view key, bool (json::*is_type)() const noexcept,
                                std::string_view type_name) {
  if (error_) return nullptr;
  read_.emplace(key);
  const auto it = value_.find(std::string(key));
  if (it == value_.end()) {
    fail(key, "missing");
    return nullptr;
  }
  if (!((*it).*is_type)()) {
    fail(key, fmt::format("expected {}", type_name));
    return nullptr;
  }
  return &*it;
}

std::string ObjectReader::string(std::string_view key) {
  const json* v = field(key, &json::is_string, "a string");
  return v ? v->get<std::string>() : std::string();
}

std::int64_t ObjectReader::int64(std::string_view key) {
  const json* v = field(key, &json::is_number_integer, "an integer");
  if (!v) return 0;
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(key, "integer out of range");
      return 0;
    }
    return static_cast<std::int64_t>(u);
  }
  return v->get<std::int64_t>();
}

std::uint32_t ObjectReader::uint32(std::string_view key) {
  const json* v = field(key, &json::is_number_integer, "an integer");
  if (!v) return 0;
  if (!v->is_number_unsigned() ||
      v->get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
    fail(key, "integer outside 0..4294967295");
    return 0;
  }
  return static_cast<std::uint32_t>(v->get<std::uint64_t>());
}

bool ObjectReader::boolean(std::string_view key) {
  const json* v = field(key, &json::is_boolean, "true or false");
  return v ? v->get<bool>() : false;
}

std::map<std::string, std::string> ObjectReader::string_map(std::string_view key) {
  std::map<std::string, std::string> out;
  const json* v = field(key, &json::is_object, "an object");
  if (!v) return out;
  for (const auto& [k, element] : v->items()) {
    if (!element.is_string()) {
      fail(key, fmt::format("value of '{}' is not a string", k));
      return {};
    }
    out.emplace(k, element.get<std::string>());
  }
  return out;
}

std::vector<std::string> ObjectReader::string_list(std::string_view key) {
  std::vector<std::string> out;
  const json* v = field(key, &json::is_array, "an array");
  if (!v) return out;
  for (const json& element : *v) {
    if (!element.is_string()) {
      fail(key, "expected an array of strings");
      return {};
    }
    out.push_back(element.get<std::string>());
  }
  return out;
}

std::vector<const json*> ObjectReader::array(std::string_view key) {
  std::vector<const json*> out;
  const json* v = field(key, &json::is_array, "an array");
  if (!v) return out;
  out.reserve(v->size());
  for (const json& element : *v) out.push_back(&element);
  return out;
}

const json* ObjectReader::object(std::string_view key) {
  return field(key, &json::is_object, "an object");
}

Status ObjectReader::finish() {
  if (error_) return *error_;
  for (const auto& [key, unused] : value_.items()) {
    if (!read_.contains(key)) {
      return Error{ErrorCode::kMalformed, fmt::format("{}: unknown field", path_of(key))};
    }
  }
  return {};
}

Result<json> parse_json(std::string_view text) {
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Error{ErrorCode::kMalformed, "not valid JSON"};
  return value;
}

std::string dump_json(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace poolha::pool::json_detail

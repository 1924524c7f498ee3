#include "api/method_table.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "api/xenapi_errors.h"
#include "common/check.h"

namespace poolha::api {
namespace {

using nlohmann::json;

std::optional<std::int64_t> integer_of(const json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return out;
  }
  return std::nullopt;
}

std::optional<double> number_of(const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    double out = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return out;
  }
  return std::nullopt;
}

bool all_strings(const json& array) {
  for (const json& item : array) {
    if (!item.is_string()) return false;
  }
  return true;
}

bool fits(const ParamType& type, const json& value) {
  switch (type.kind) {
    case ParamKind::kString:
    case ParamKind::kRef:
      return value.is_string();
    case ParamKind::kInt:
      return integer_of(value).has_value();
    case ParamKind::kBool:
      return value.is_boolean();
    case ParamKind::kFloat: {
      const auto number = number_of(value);
      return number.has_value() && std::isfinite(*number);
    }
    case ParamKind::kRefSet:
    case ParamKind::kStringSet:
      return value.is_array() && all_strings(value);
    case ParamKind::kStringMap:
      if (!value.is_object()) return false;
      for (const json& item : value) {
        if (!item.is_string()) return false;
      }
      return true;
  }
  return false;
}

std::size_t session_count(const MethodSpec& method) {
  return method.takes_session ? 1 : 0;
}

std::size_t required_count(const MethodSpec& method) {
  std::size_t required = session_count(method);
  for (const ParamSpec& param : method.params) {
    if (param.default_value) break;
    ++required;
  }
  return required;
}

std::string resolve_ref(const ObjectClass& cls, const std::string& ref,
                        const pool::Database& database) {
  const std::optional<std::string> uuid = uuid_of_ref(ref);
  if (!uuid || !cls.exists(database, *uuid)) throw errors::handle_invalid(cls.api_name(), ref);
  return *uuid;
}

ArgValue convert(const ParamSpec& param, const json& value, const pool::Database& database) {
  switch (param.type.kind) {
    case ParamKind::kString:
      return value.get<std::string>();
    case ParamKind::kInt:
      return *integer_of(value);
    case ParamKind::kBool:
      return value.get<bool>();
    case ParamKind::kFloat:
      return *number_of(value);
    case ParamKind::kRef:
      return resolve_ref(*param.type.ref_class, value.get<std::string>(), database);
    case ParamKind::kRefSet: {
      std::vector<std::string> uuids;
      for (const json& item : value) {
        uuids.push_back(resolve_ref(*param.type.ref_class, item.get<std::string>(), database));
      }
      return uuids;
    }
    case ParamKind::kStringSet:
      return value.get<std::vector<std::string>>();
    case ParamKind::kStringMap:
      return value.get<std::map<std::string, std::string>>();
  }
  POOLHA_CHECK(false, "unknown parameter kind");
  return std::string();
}

}  // namespace

void MethodTable::add(MethodSpec spec) {
  POOLHA_CHECK(static_cast<bool>(spec.handler), "a method without a handler");
  bool optional_seen = false;
  for (const ParamSpec& param : spec.params) {
    POOLHA_CHECK(!optional_seen || param.default_value.has_value(),
                 "a required parameter after an optional one");
    optional_seen = optional_seen || param.default_value.has_value();
    POOLHA_CHECK((param.type.kind == ParamKind::kRef || param.type.kind == ParamKind::kRefSet) ==
                     (param.type.ref_class != nullptr),
                 "a reference parameter without its class");
  }
  std::string name = spec.name;
  const bool added = methods_.emplace(std::move(name), std::move(spec)).second;
  POOLHA_CHECK(added, "a method registered twice");
}

const MethodSpec* MethodTable::find(std::string_view name) const {
  const auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::names() const {
  std::vector<std::string> out;
  for (const auto& [name, spec] : methods_) out.push_back(name);
  return out;
}

void check_parameter_count(const MethodSpec& method, const json& params) {
  const std::size_t total = session_count(method) + method.params.size();
  if (params.size() < required_count(method) || params.size() > total) {
    throw errors::message_parameter_count_mismatch(method.name, total, params.size());
  }
}

void check_parameter_types(const MethodSpec& method, const json& params) {
  const std::size_t first = session_count(method);
  for (std::size_t i = first; i < params.size(); ++i) {
    const ParamSpec& param = method.params.at(i - first);
    if (!fits(param.type, params[i])) throw errors::field_type_error(param.name);
  }
}

CheckedCall resolve_call(const MethodSpec& method, const json& params, std::string session_ref,
                         std::shared_ptr<const pool::Database> database) {
  POOLHA_CHECK(database != nullptr, "a call resolved without a database");
  CheckedCall call;
  call.method = method.name;
  call.session_ref = std::move(session_ref);
  const std::size_t first = session_count(method);
  for (std::size_t i = 0; i < method.params.size(); ++i) {
    const ParamSpec& param = method.params[i];
    const std::size_t wire = first + i;
    const json& value = wire < params.size() ? params[wire] : *param.default_value;
    call.args.push_back(convert(param, value, *database));
  }
  call.database = std::move(database);
  return call;
}

}  // namespace poolha::api

#include "xe/record_text.h"

#include <algorithm>
#include <cctype>

#include "xe/cli_error.h"

namespace poolha::xe {
namespace {

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool class_is_known(std::string_view api_class) {
  const auto& classes = all_classes();
  return std::any_of(classes.begin(), classes.end(),
                     [&](const ClassSpec* spec) { return spec->api_class == api_class; });
}

std::string ref_text(const FieldSpec& field, const nlohmann::json& value, ApiClient& api) {
  const std::string ref = scalar_text(value);
  if (ref == kNullRef) return std::string(kNotInDatabase);
  // Objects of classes this client does not model (the statefile VDIs) are
  // shown by reference: looking them up would need calls the server may not offer.
  if (!class_is_known(field.ref_class)) return ref;
  return api.uuid_of(field.ref_class, ref).value_or(std::string(kNotInDatabase));
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += separator;
    text += items[i];
  }
  return text;
}

// The printed members of a set field.
std::vector<std::string> set_members(const FieldSpec& field, const nlohmann::json& value,
                                     ApiClient& api) {
  std::vector<std::string> members;
  if (!value.is_array()) return {scalar_text(value)};
  for (const auto& item : value) {
    members.push_back(field.kind == ValueKind::kRefSet ? ref_text(field, item, api)
                                                       : scalar_text(item));
  }
  return members;
}

bool is_set(const FieldSpec& field) {
  return field.kind == ValueKind::kRefSet || field.kind == ValueKind::kStringSet;
}

struct ParsedFilterKey {
  const FieldSpec* field;
  std::optional<std::string> map_key;  // for "<map field>:<key>"
  bool contains = false;               // for "<set field>:contains"
};

ParsedFilterKey parse_filter_key(const ClassSpec& spec, const std::string& key) {
  if (const FieldSpec* field = find_field(spec, key)) return {field, std::nullopt};
  const auto colon = key.find(':');
  if (colon == std::string::npos) throw CliFailure("Unknown field '" + key + "'");
  const FieldSpec* field = find_field(spec, std::string_view(key).substr(0, colon));
  if (field == nullptr) throw CliFailure("Unknown field '" + key + "'");
  const std::string rest = key.substr(colon + 1);
  if (field->kind == ValueKind::kStringMap) return {field, rest};
  if (is_set(*field)) {
    if (rest != "contains") {
      throw CliFailure("Invalid syntax for set filtering (should be set-param:contains=key)");
    }
    return {field, std::nullopt, true};
  }
  throw CliFailure("Field '" + std::string(field->name) + "' is not a set or map");
}

bool matches(const ParsedFilterKey& filter, const std::string& wanted, const ObjectRecord& record,
             ApiClient& api) {
  const auto value = record.fields.find(std::string(filter.field->api_name));
  if (value == record.fields.end()) return false;
  if (filter.map_key) {
    if (!value->is_object()) return false;
    const auto entry = value->find(*filter.map_key);
    return entry != value->end() && scalar_text(*entry) == wanted;
  }
  if (filter.contains) {
    const auto members = set_members(*filter.field, *value, api);
    return std::find(members.begin(), members.end(), wanted) != members.end();
  }
  const auto text = field_text(*filter.field, record, api);
  if (!text) return false;
  if (filter.field->kind == ValueKind::kPowerState) return lower(*text) == lower(wanted);
  return *text == wanted;
}

}  // namespace

std::optional<std::string> field_text(const FieldSpec& field, const ObjectRecord& record,
                                      ApiClient& api) {
  const auto found = record.fields.find(std::string(field.api_name));
  if (found == record.fields.end()) return std::nullopt;
  const nlohmann::json& value = *found;
  switch (field.kind) {
    case ValueKind::kString:
    case ValueKind::kBool:
    case ValueKind::kInt:
      return scalar_text(value);
    case ValueKind::kPowerState:
      return lower(scalar_text(value));
    case ValueKind::kRef:
      return ref_text(field, value, api);
    case ValueKind::kRefSet:
    case ValueKind::kStringSet:
      return joined(set_members(field, value, api), "; ");
    case ValueKind::kStringMap: {
      if (!value.is_object()) return scalar_text(value);
      std::vector<std::string> entries;
      for (const auto& [key, item] : value.items())
        entries.push_back(key + ": " + scalar_text(item));
      return joined(entries, "; ");
    }
  }
  return scalar_text(value);
}

std::vector<const FieldSpec*> select_fields(const ClassSpec& spec,
                                            const std::optional<std::string>& requested,
                                            const std::vector<std::string_view>& defaults) {
  std::vector<std::string> names;
  if (!requested) {
    names.assign(defaults.begin(), defaults.end());
  } else if (*requested != "all") {
    std::string_view rest = *requested;
    while (true) {
      const auto comma = rest.find(',');
      names.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    for (const auto& name : names) {
      if (find_field(spec, name) == nullptr) throw CliFailure("Unknown field '" + name + "'");
    }
  }
  std::vector<const FieldSpec*> fields;
  for (const auto& field : spec.fields) {
    const bool wanted = (requested && *requested == "all") ||
                        std::find(names.begin(), names.end(), field.name) != names.end();
    if (wanted) fields.push_back(&field);
  }
  return fields;
}

RecordLines record_lines(const std::vector<const FieldSpec*>& fields, const ObjectRecord& record,
                         ApiClient& api) {
  RecordLines lines;
  for (const FieldSpec* field : fields) {
    if (auto text = field_text(*field, record, api)) lines.emplace_back(field_label(*field), *text);
  }
  return lines;
}

std::vector<ObjectRecord> filter_records(const ClassSpec& spec, std::vector<ObjectRecord> records,
                                         const std::vector<Param>& filters, ApiClient& api) {
  for (const auto& [key, wanted] : filters) {
    const ParsedFilterKey filter = parse_filter_key(spec, key);
    std::erase_if(records, [&, &wanted = wanted](const ObjectRecord& record) {
      return !matches(filter, wanted, record, api);
    });
  }
  return records;
}

void check_filter_key(const ClassSpec& spec, const std::string& key) {
  static_cast<void>(parse_filter_key(spec, key));
}

}  // namespace poolha::xe

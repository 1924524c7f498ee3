// The commands xe generates for every object class: <class>-list,
// <class>-param-list, <class>-param-get and <class>-param-set.
#include <string>

#include "xe/cli_error.h"
#include "xe/command_table.h"
#include "xe/record_text.h"
#include "xe/value_text.h"

namespace poolha::xe {
namespace {

// The filters of a list command: every parameter but params= and the standard ones.
std::vector<Param> list_filters(const Params& params) {
  std::vector<Param> filters;
  for (const auto& param : params.entries()) {
    if (param.first != "params" && !is_standard_param(param.first)) filters.push_back(param);
  }
  return filters;
}

const FieldSpec& known_field(const ClassSpec& spec, const std::string& name) {
  const FieldSpec* field = find_field(spec, name);
  if (field == nullptr) throw FieldNotFound(name);
  return *field;
}

const FieldSpec& writable_field(const ClassSpec& spec, const std::string& name) {
  const FieldSpec* field = find_field(spec, name);
  if (field == nullptr) throw CliFailure("Unknown field '" + name + "'");
  if (!is_writable(*field)) throw CliFailure("Field '" + name + "' is read-only.");
  return *field;
}

// The JSON value a setter takes for the text given on the command line.
nlohmann::json setter_value(const FieldSpec& field, const std::string& text) {
  const std::string name(field.name);
  switch (field.kind) {
    case ValueKind::kInt: {
      const auto value = parse_int64(text);
      if (!value)
        throw CliFailure("Failed to parse parameter '" + name + "': expecting an integer");
      return *value;
    }
    case ValueKind::kBool: {
      const auto value = parse_bool(text);
      if (!value) {
        throw CliFailure("Failed to parse parameter '" + name +
                         "': expecting a boolean (true or false)");
      }
      return *value;
    }
    default:
      return text;
  }
}

void list(const ClassSpec& spec, CommandContext& context) {
  auto records = filter_records(spec, context.api.all_records(spec.api_class),
                                list_filters(context.params), context.api);
  const auto fields = select_fields(spec, context.params.find("params"), spec.list_fields);
  std::vector<RecordLines> printed;
  printed.reserve(records.size());
  for (const auto& record : records) printed.push_back(record_lines(fields, record, context.api));
  context.out.records(printed);
}

void param_list(const ClassSpec& spec, CommandContext& context) {
  const ObjectRecord record =
      context.api.record_by_uuid(spec.api_class, context.params.required("uuid"));
  context.out.records({record_lines(select_fields(spec, "all", {}), record, context.api)});
}

void param_get(const ClassSpec& spec, CommandContext& context) {
  const std::string& name = context.params.required("param-name");
  const FieldSpec& field = known_field(spec, name);
  const auto key = context.params.find("param-key");
  if (key && field.kind != ValueKind::kStringMap)
    throw CliFailure("Field '" + name + "' is not a map");
  const ObjectRecord record =
      context.api.record_by_uuid(spec.api_class, context.params.required("uuid"));
  if (key) {
    const auto map = record.fields.find(std::string(field.api_name));
    if (map == record.fields.end()) throw FieldNotFound(name);
    const auto entry = map->find(*key);
    if (entry == map->end()) throw CliFailure("Key " + *key + " not found in map");
    context.out.values({entry->is_string() ? entry->get<std::string>() : entry->dump()});
    return;
  }
  const auto text = field_text(field, record, context.api);
  if (!text) throw FieldNotFound(name);
  context.out.values({*text});
}

void param_set(const ClassSpec& spec, CommandContext& context) {
  const std::string ref = context.api.ref_by_uuid(spec.api_class, context.params.required("uuid"));
  for (const auto& [key, text] : context.params.entries()) {
    if (key == "uuid" || is_standard_param(key)) continue;
    const FieldSpec& field = writable_field(spec, key);
    context.api.call(std::string(field.setter),
                     nlohmann::json::array({ref, setter_value(field, text)}));
  }
}

}  // namespace

void add_class_commands(CommandTable& table, const ClassSpec& spec) {
  const std::string prefix(spec.name);
  const ClassSpec* s = &spec;

  table.add({.name = prefix + "-list",
             .optional = {"params"},
             .check_extra = [s](const std::string& key,
                                const std::string&) { check_filter_key(*s, key); },
             .extra_help = "<field>=<value> filters",
             .description = "Lists the " + prefix +
                            " objects whose fields match the filters; params= chooses the fields "
                            "shown (names separated by commas, or all).",
             .run = [s](CommandContext& context) { list(*s, context); }});

  table.add({.name = prefix + "-param-list",
             .required = {"uuid"},
             .description = "Lists every field of the " + prefix + " with the given uuid.",
             .run = [s](CommandContext& context) { param_list(*s, context); }});

  table.add({.name = prefix + "-param-get",
             .required = {"uuid", "param-name"},
             .optional = {"param-key"},
             .description = "Prints the value of one field of the " + prefix +
                            " with the given uuid; param-key= picks one entry of a map field.",
             .run = [s](CommandContext& context) { param_get(*s, context); }});

  table.add({.name = prefix + "-param-set",
             .required = {"uuid"},
             .check_extra =
                 [s](const std::string& key, const std::string& text) {
                   static_cast<void>(setter_value(writable_field(*s, key), text));
                 },
             .extra_help = "<writable field>=<value>",
             .description = "Sets writable fields of the " + prefix + " with the given uuid.",
             .run = [s](CommandContext& context) { param_set(*s, context); }});
}

}  // namespace poolha::xe

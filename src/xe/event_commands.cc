// event-wait: blocks until some object of a class matches every condition,
// e.g. "xe event-wait class=vm uuid=... power-state=running" after a failover.
// It follows the server's event stream (event.from) instead of polling on a
// timer, and re-reads the class's records whenever an event arrives.
#include <string>

#include "xe/cli_error.h"
#include "xe/command_table.h"
#include "xe/record_text.h"

namespace poolha::xe {
namespace {

// How long one event.from call may wait for an event, in seconds.
constexpr double kEventWaitSeconds = 30.0;

const ClassSpec& class_named(const std::string& name) {
  for (const ClassSpec* spec : all_classes()) {
    if (spec->name == name) return *spec;
  }
  throw CliFailure("Waiting for events of class '" + name +
                   "' is not supported (use one of: pool, host, vm, sr)");
}

struct Condition {
  const FieldSpec* field;
  std::string value;
  bool negated;  // key=/=value: the field must differ from value
};

std::vector<Condition> conditions(const ClassSpec& spec, const Params& params) {
  std::vector<Condition> result;
  for (const auto& [key, value] : params.entries()) {
    if (key == "class" || is_standard_param(key)) continue;
    const FieldSpec* field = find_field(spec, key);
    if (field == nullptr) throw CliFailure("Unknown field '" + key + "'");
    const bool negated = value.rfind("/=", 0) == 0;
    result.push_back({field, negated ? value.substr(2) : value, negated});
  }
  return result;
}

bool any_matches(const ClassSpec& spec, const std::vector<Condition>& wanted, ApiClient& api) {
  for (const auto& record : api.all_records(spec.api_class)) {
    bool all = true;
    for (const auto& condition : wanted) {
      const auto text = field_text(*condition.field, record, api);
      all = all && text.has_value() && ((*text == condition.value) != condition.negated);
    }
    if (all) return true;
  }
  return false;
}

std::string next_token(const std::string& event_class, const std::string& token, double timeout,
                       ApiClient& api) {
  const auto batch = api.call(
      "event.from", nlohmann::json::array({nlohmann::json::array({event_class}), token, timeout}));
  const auto next = batch.find("token");
  if (!batch.is_object() || next == batch.end() || !next->is_string()) {
    throw BadAnswer("event.from answered without a token");
  }
  return next->get<std::string>();
}

void event_wait(CommandContext& context) {
  const ClassSpec& spec = class_named(context.params.required("class"));
  const auto wanted = conditions(spec, context.params);
  // Event classes are named in lower case, as xe names them.
  const std::string event_class(spec.name);
  // Take a token before the first look, so a change that happens between
  // the look and the first wait is still seen as an event.
  std::string token = next_token(event_class, "", 0.0, context.api);
  while (!any_matches(spec, wanted, context.api)) {
    try {
      token = next_token(event_class, token, kEventWaitSeconds, context.api);
    } catch (const api::XenApiError& e) {
      // The server's event log moved past our token: start again from the
      // current state, which the next look reads in full anyway.
      if (e.code() != "EVENTS_LOST") throw;
      token = next_token(event_class, "", 0.0, context.api);
    }
  }
}

}  // namespace

void add_event_commands(CommandTable& table) {
  table.add({.name = "event-wait",
             .required = {"class"},
             .check_extra = [](const std::string&, const std::string&) {},
             .extra_help = "<field>=<value> or <field>=/=<value> conditions",
             .description = "Waits until an object of the class (pool, host, vm or sr) satisfies "
                            "every condition: <field>=<value>, or <field>=/=<value> for a field "
                            "that must differ.",
             .run = event_wait});
}

}  // namespace poolha::xe

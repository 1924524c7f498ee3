#include "xe/command_table.h"

#include <algorithm>

#include "common/check.h"
#include "xe/cli_error.h"

namespace poolha::xe {
namespace {

bool is_declared(const CommandSpec& spec, const std::string& key) {
  const auto named = [&key](const std::string& name) {
    if (!name.empty() && name.back() == ':') {
      return key.size() > name.size() && key.compare(0, name.size(), name) == 0;
    }
    return key == name;
  };
  return std::any_of(spec.required.begin(), spec.required.end(), named) ||
         std::any_of(spec.optional.begin(), spec.optional.end(), named);
}

CommandTable build_command_table() {
  CommandTable table;
  for (const ClassSpec* spec : all_classes()) add_class_commands(table, *spec);
  add_pool_commands(table);
  add_host_commands(table);
  add_vm_commands(table);
  add_event_commands(table);
  return table;
}

}  // namespace

void CommandTable::add(CommandSpec spec) {
  POOLHA_CHECK(!commands_.contains(spec.name), "xe command registered twice");
  std::string name = spec.name;
  commands_.emplace(std::move(name), std::move(spec));
}

const CommandSpec* CommandTable::find(std::string_view name) const {
  const auto found = commands_.find(name);
  return found == commands_.end() ? nullptr : &found->second;
}

std::vector<const CommandSpec*> CommandTable::all() const {
  std::vector<const CommandSpec*> specs;
  for (const auto& [name, spec] : commands_) specs.push_back(&spec);
  return specs;
}

const CommandTable& command_table() {
  static const CommandTable table = build_command_table();
  return table;
}

void check_params(const CommandSpec& spec, const Params& params) {
  for (const auto& name : spec.required) static_cast<void>(params.required(name));
  for (const auto& [key, value] : params.entries()) {
    if (is_standard_param(key) || is_declared(spec, key)) continue;
    if (spec.check_extra) {
      spec.check_extra(key, value);
      continue;
    }
    throw CliFailure("Unknown parameter '" + key + "' for command " + spec.name +
                     " (see: xe help " + spec.name + ")");
  }
  if (spec.requires_force && !params.flag("force")) throw CliFailure(std::string(kForceRequired));
}

}  // namespace poolha::xe

// The xe commands: each one's parameters, description and implementation.
// A command's parameters are checked before xe contacts the server, so a
// misspelt or missing parameter, or a dangerous command without --force,
// never reaches the pool.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "xe/api_client.h"
#include "xe/class_schema.h"
#include "xe/params.h"
#include "xe/printer.h"

namespace poolha::xe {

struct CommandContext {
  const Params& params;
  ApiClient& api;
  Printer& out;
};

struct CommandSpec {
  // Every member has a default so commands are declared with designated
  // initializers naming only what they use.
  std::string name{};
  std::vector<std::string> required{};
  // Optional parameters; a name ending in ':' accepts any "<name><key>=value"
  // (ha-config: takes ha-config:timeout=90).
  std::vector<std::string> optional{};
  // Checks a parameter that is neither declared nor standard, throwing when
  // it is not acceptable (filters on a class's fields, fields to set). When
  // unset such parameters are refused.
  std::function<void(const std::string& key, const std::string& value)> check_extra{};
  std::string extra_help{};  // how help describes those parameters
  // Refused, as xe refuses it, unless --force (or force=true) is given.
  bool requires_force = false;
  std::string description{};
  std::function<void(CommandContext&)> run{};
};

class CommandTable {
 public:
  void add(CommandSpec spec);
  const CommandSpec* find(std::string_view name) const;
  // Sorted by name.
  std::vector<const CommandSpec*> all() const;

 private:
  std::map<std::string, CommandSpec, std::less<>> commands_;
};

// Every command this xe offers.
const CommandTable& command_table();

// Throws ParamNotFound, CliFailure (unknown parameter or field, missing
// --force) for parameters the command cannot accept.
void check_params(const CommandSpec& spec, const Params& params);

// xe's refusal of a dangerous command given without --force.
inline constexpr std::string_view kForceRequired =
    "This operation is dangerous and may cause data loss. This operation must be forced (use "
    "--force).";

// Registration of the commands, one function per group.
void add_class_commands(CommandTable& table, const ClassSpec& spec);
void add_pool_commands(CommandTable& table);
void add_host_commands(CommandTable& table);
void add_vm_commands(CommandTable& table);
void add_event_commands(CommandTable& table);

}  // namespace poolha::xe

// VM power commands: vm-start (optionally on a chosen host) and vm-shutdown
// (clean, or hard with --force).
#include <string>

#include "xe/cli_error.h"
#include "xe/command_table.h"
#include "xe/object_selection.h"
#include "xe/record_text.h"

namespace poolha::xe {
namespace {

void check_vm_filter(const std::string& key, const std::string&) {
  check_filter_key(vm_class(), key);
}

// The host on= names, as host= would name it.
std::string host_named(const std::string& name, ApiClient& api) {
  const Selector selector = host_selector();
  const Params by_name({{std::string(selector.key), name}});
  const auto hosts = select_objects(selector, by_name, {}, api);
  if (hosts.empty()) throw CliFailure("Host " + name + " not found");
  return hosts.front().ref;
}

void start(CommandContext& context) {
  const bool paused = context.params.flag("paused");
  const bool force = context.params.flag("force");
  const Selector selector = vm_selector();
  const auto vms = select_objects(selector, context.params, {"on", "paused"}, context.api);
  std::optional<std::string> host;
  if (const auto on = context.params.find("on"); on && !vms.empty())
    host = host_named(*on, context.api);
  apply_to_selected(selector, vms, true, context.params, context.api, [&](const ObjectRecord& vm) {
    if (host) {
      context.api.call("VM.start_on", nlohmann::json::array({vm.ref, *host, paused, force}));
    } else {
      context.api.call("VM.start", nlohmann::json::array({vm.ref, paused, force}));
    }
  });
}

void shutdown(CommandContext& context) {
  const std::string method =
      context.params.flag("force") ? "VM.hard_shutdown" : "VM.clean_shutdown";
  const Selector selector = vm_selector();
  const auto vms = select_objects(selector, context.params, {}, context.api);
  apply_to_selected(selector, vms, true, context.params, context.api, [&](const ObjectRecord& vm) {
    context.api.call(method, nlohmann::json::array({vm.ref}));
  });
}

}  // namespace

void add_vm_commands(CommandTable& table) {
  table.add({.name = "vm-start",
             .optional = {"vm", "on", "paused"},
             .check_extra = check_vm_filter,
             .extra_help = "<field>=<value> filters choosing the VM",
             .description =
                 "Starts the chosen VM(s): vm=<uuid or name> or field filters, "
                 "--multiple for several. on=<host uuid or name> starts it on that host; "
                 "--force passes the force flag of VM.start.",
             .run = start});

  table.add({.name = "vm-shutdown",
             .optional = {"vm"},
             .check_extra = check_vm_filter,
             .extra_help = "<field>=<value> filters choosing the VM",
             .description = "Shuts the chosen VM(s) down cleanly, or at once with --force. A VM "
                            "shut down this way is not restarted by HA.",
             .run = shutdown});
}

}  // namespace poolha::xe

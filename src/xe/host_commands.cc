// Host maintenance and recovery commands: disabling, enabling and evacuating
// a host, and the emergency disabling of HA on the host xe talks to.
#include <string>

#include "xe/command_table.h"
#include "xe/object_selection.h"
#include "xe/record_text.h"

namespace poolha::xe {
namespace {

// A command acting on the hosts chosen by host= and filters: calls
// `method` with each host's reference.
CommandSpec host_operation(std::string name, std::string method, bool allow_multiple,
                           std::string description) {
  return {.name = std::move(name),
          .optional = {"host"},
          .check_extra = [](const std::string& key,
                            const std::string&) { check_filter_key(host_class(), key); },
          .extra_help = "<field>=<value> filters choosing the host",
          .description = std::move(description),
          .run =
              [method = std::move(method), allow_multiple](CommandContext& context) {
                const Selector selector = host_selector();
                const auto hosts = select_objects(selector, context.params, {}, context.api);
                apply_to_selected(selector, hosts, allow_multiple, context.params, context.api,
                                  [&](const ObjectRecord& host) {
                                    context.api.call(method, nlohmann::json::array({host.ref}));
                                  });
              }};
}

}  // namespace

void add_host_commands(CommandTable& table) {
  table.add(host_operation("host-disable", "host.disable", true,
                           "Disables the host: no VM is started on it, and HA plans without it."));
  table.add(host_operation("host-enable", "host.enable", true, "Enables the host again."));
  table.add(
      host_operation("host-evacuate", "host.evacuate", false, "Moves every VM off the host."));

  table.add(
      {.name = "host-emergency-ha-disable",
       .optional = {"soft"},
       .requires_force = true,
       .description =
           "Disables HA on the host xe is connected to, without the pool's agreement: "
           "disarms fencing and stops the HA daemon. Only for recovering a pool whose HA "
           "is broken. Needs --force. soft=true keeps the host's HA arming for its next boot.",
       .run = [](CommandContext& context) {
         const bool soft = context.params.flag("soft");
         context.api.call("host.emergency_ha_disable", nlohmann::json::array({soft}));
       }});
}

}  // namespace poolha::xe

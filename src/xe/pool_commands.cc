// Pool-wide HA commands: enabling and disabling HA, the failures-to-tolerate
// computation, and handing the master role to another host.
#include <string>

#include "xe/cli_error.h"
#include "xe/command_table.h"

namespace poolha::xe {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  std::string::size_type start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

void ha_enable(CommandContext& context) {
  // As xe: every uuid in the list is resolved, an empty one included, so a
  // lookup that found no SR ("heartbeat-sr-uuids=") fails at the server
  // instead of enabling HA on some other SR.
  nlohmann::json srs = nlohmann::json::array();
  if (const auto uuids = context.params.find("heartbeat-sr-uuids")) {
    for (const auto& uuid : split_commas(*uuids))
      srs.push_back(context.api.ref_by_uuid("SR", uuid));
  }
  nlohmann::json configuration = nlohmann::json::object();
  for (const auto& [key, value] : context.params.map_param("ha-config")) configuration[key] = value;
  context.api.call("pool.enable_ha", nlohmann::json::array({srs, configuration}));
}

std::string integer_text(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.dump();
  throw BadAnswer("pool.ha_compute_max_host_failures_to_tolerate answered with " + value.dump() +
                  ", not a number");
}

}  // namespace

void add_pool_commands(CommandTable& table) {
  table.add({.name = "pool-ha-enable",
             .optional = {"heartbeat-sr-uuids", "ha-config:"},
             .description =
                 "Enables HA on the pool, with its statefile on the first usable SR of "
                 "heartbeat-sr-uuids (uuids separated by commas). ha-config:timeout=<seconds> sets "
                 "the HA timeout.",
             .run = ha_enable});

  table.add({.name = "pool-ha-disable",
             .description = "Disables HA on the pool.",
             .run = [](CommandContext& context) { context.api.call("pool.disable_ha"); }});

  table.add({.name = "pool-ha-compute-max-host-failures-to-tolerate",
             .description = "Prints the largest number of host failures the pool can survive with "
                            "every protected VM restarted, in its current configuration.",
             .run = [](CommandContext& context) {
               const auto count = context.api.call("pool.ha_compute_max_host_failures_to_tolerate");
               context.out.values({integer_text(count)});
             }});

  table.add({.name = "pool-designate-new-master",
             .required = {"host-uuid"},
             .description = "Hands the master role over to the given host in an orderly way.",
             .run = [](CommandContext& context) {
               const std::string host =
                   context.api.ref_by_uuid("host", context.params.required("host-uuid"));
               context.api.call("pool.designate_new_master", nlohmann::json::array({host}));
             }});
}

}  // namespace poolha::xe

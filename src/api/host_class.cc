// The host class's field table. xapi keeps memory_total, memory_free and
// live in a separate host_metrics object; poolha has no such class and shows
// them on the host itself. live, ha_statefiles and ha_network_peers come from
// the HA layer when it knows the host, else from the database alone.
#include <algorithm>

#include "api/object_class.h"

namespace poolha::api {

using nlohmann::json;
using pool::Host;

namespace {

std::optional<HostHaState> ha_state(const Host& h, const ReadContext& c) {
  return c.backend.host_ha_state(h.uuid);
}

}  // namespace

const ObjectClass& host_class() {
  static const ObjectClass cls(ClassDefinition<Host>{
      .api_name = "host",
      .event_name = "host",
      .has_get_by_name_label = true,
      .all =
          [](const pool::Database& db) {
            std::vector<const Host*> out;
            for (const auto& [uuid, host] : db.hosts()) out.push_back(&host);
            return out;
          },
      .find = [](const pool::Database& db, std::string_view uuid) { return db.find_host(uuid); },
      .fields =
          {
              {"uuid", [](const Host& h, const ReadContext&) { return json(h.uuid); }},
              {"name_label", [](const Host& h, const ReadContext&) { return json(h.name_label); }},
              {"address", [](const Host& h, const ReadContext&) { return json(h.address); }},
              {"enabled", [](const Host& h, const ReadContext&) { return json(h.enabled); }},
              {"memory_total",
               [](const Host& h, const ReadContext&) { return json(h.memory_total); }},
              {"memory_overhead",
               [](const Host& h, const ReadContext&) { return json(h.memory_overhead); }},
              // Never negative, as on xapi; an overcommitted pool shows in
              // pool.ha_overcommitted instead.
              {"memory_free",
               [](const Host& h, const ReadContext& c) {
                 return json(std::max<std::int64_t>(0, c.database.free_memory(h.uuid)));
               }},
              {"live",
               [](const Host& h, const ReadContext& c) {
                 const auto state = ha_state(h, c);
                 return json(state ? state->live : h.live);
               }},
              {"ha_statefiles",
               [](const Host& h, const ReadContext& c) {
                 const auto state = ha_state(h, c);
                 return state ? ref_list(state->statefile_srs) : json::array();
               }},
              // Host uuids, as xapi records them.
              {"ha_network_peers",
               [](const Host& h, const ReadContext& c) {
                 const auto state = ha_state(h, c);
                 return state ? json(state->network_peers) : json::array();
               }},
              {"resident_VMs",
               [](const Host& h, const ReadContext& c) {
                 json out = json::array();
                 for (const pool::Vm* vm : c.database.vms_occupying(h.uuid)) {
                   if (vm->resident_on == h.uuid) out.push_back(ref_of(vm->uuid));
                 }
                 return out;
               }},
          }});
  return cls;
}

}  // namespace poolha::api

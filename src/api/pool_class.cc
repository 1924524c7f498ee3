// The pool class's field table. ha_statefiles lists the heartbeat SRs, where
// xapi lists statefile VDIs (poolha keeps its statefile in an area of the SR
// and has no VDI objects). ha_timeout is poolha's own: the persistent HA
// timeout, also mirrored in ha_configuration["timeout"].
#include "api/object_class.h"

namespace poolha::api {

using nlohmann::json;
using pool::Pool;

const ObjectClass& pool_class() {
  static const ObjectClass cls(ClassDefinition<Pool>{
      .api_name = "pool",
      .event_name = "pool",
      .has_get_by_name_label = false,
      .all = [](const pool::Database& db) { return std::vector<const Pool*>{&db.pool()}; },
      .find = [](const pool::Database& db, std::string_view uuid) -> const Pool* {
        return db.pool().uuid == uuid ? &db.pool() : nullptr;
      },
      .fields =
          {
              {"uuid", [](const Pool& p, const ReadContext&) { return json(p.uuid); }},
              {"name_label", [](const Pool& p, const ReadContext&) { return json(p.name_label); }},
              {"master", [](const Pool& p, const ReadContext&) { return json(ref_of(p.master)); }},
              {"ha_enabled", [](const Pool& p, const ReadContext&) { return json(p.ha_enabled); }},
              {"ha_configuration",
               [](const Pool& p, const ReadContext&) { return json(p.ha_configuration); }},
              {"ha_statefiles",
               [](const Pool& p, const ReadContext&) { return ref_list(p.ha_statefiles); }},
              {"ha_host_failures_to_tolerate",
               [](const Pool& p, const ReadContext&) {
                 return json(p.ha_host_failures_to_tolerate);
               }},
              {"ha_plan_exists_for",
               [](const Pool& p, const ReadContext&) { return json(p.ha_plan_exists_for); }},
              {"ha_allow_overcommit",
               [](const Pool& p, const ReadContext&) { return json(p.ha_allow_overcommit); }},
              {"ha_overcommitted",
               [](const Pool& p, const ReadContext&) { return json(p.ha_overcommitted); }},
              {"ha_reboot_vm_on_internal_shutdown",
               [](const Pool& p, const ReadContext&) {
                 return json(p.ha_reboot_vm_on_internal_shutdown);
               }},
              {"ha_timeout", [](const Pool& p, const ReadContext&) { return json(p.ha_timeout); }},
          }});
  return cls;
}

}  // namespace poolha::api

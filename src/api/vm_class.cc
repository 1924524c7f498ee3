// The VM class's field table. is_a_template and is_control_domain are always
// false (poolha has neither templates nor a control domain VM); they are
// there because XenAPI clients filter VM lists on them.
#include "api/object_class.h"

namespace poolha::api {

using nlohmann::json;
using pool::Vm;

const ObjectClass& vm_class() {
  static const ObjectClass cls(ClassDefinition<Vm>{
      .api_name = "VM",
      .event_name = "vm",
      .has_get_by_name_label = true,
      .all =
          [](const pool::Database& db) {
            std::vector<const Vm*> out;
            for (const auto& [uuid, vm] : db.vms()) out.push_back(&vm);
            return out;
          },
      .find = [](const pool::Database& db, std::string_view uuid) { return db.find_vm(uuid); },
      .fields =
          {
              {"uuid", [](const Vm& v, const ReadContext&) { return json(v.uuid); }},
              {"name_label", [](const Vm& v, const ReadContext&) { return json(v.name_label); }},
              {"power_state",
               [](const Vm& v, const ReadContext&) {
                 return json(pool::to_string(v.power_state));
               }},
              {"resident_on",
               [](const Vm& v, const ReadContext&) { return json(ref_of(v.resident_on)); }},
              {"scheduled_to_be_resident_on",
               [](const Vm& v, const ReadContext&) {
                 return json(ref_of(v.scheduled_to_be_resident_on));
               }},
              {"memory_static_max",
               [](const Vm& v, const ReadContext&) { return json(v.memory_static_max); }},
              {"ha_restart_priority",
               [](const Vm& v, const ReadContext&) {
                 return json(pool::to_string(v.ha_restart_priority));
               }},
              {"order", [](const Vm& v, const ReadContext&) { return json(v.order); }},
              {"start_delay", [](const Vm& v, const ReadContext&) { return json(v.start_delay); }},
              {"ha_always_run",
               [](const Vm& v, const ReadContext&) { return json(v.ha_always_run); }},
              {"is_a_template", [](const Vm&, const ReadContext&) { return json(false); }},
              {"is_control_domain", [](const Vm&, const ReadContext&) { return json(false); }},
          }});
  return cls;
}

}  // namespace poolha::api

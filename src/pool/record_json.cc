#include "pool/record_json.h"

namespace poolha::pool::json_detail {

using nlohmann::json;

json to_json(const Host& host) {
  return json{{"uuid", host.uuid},
              {"name_label", host.name_label},
              {"address", host.address},
              {"memory_total", host.memory_total},
              {"memory_overhead", host.memory_overhead},
              {"enabled", host.enabled},
              {"ha_weight", host.ha_weight},
              {"live", host.live}};
}

json to_json(const Sr& sr) {
  return json{{"uuid", sr.uuid},
              {"name_label", sr.name_label},
              {"type", sr.type},
              {"shared", sr.shared},
              {"heartbeat", sr.heartbeat}};
}

json to_json(const Vm& vm) {
  return json{{"uuid", vm.uuid},
              {"name_label", vm.name_label},
              {"power_state", to_string(vm.power_state)},
              {"resident_on", vm.resident_on},
              {"scheduled_to_be_resident_on", vm.scheduled_to_be_resident_on},
              {"memory_static_max", vm.memory_static_max},
              {"ha_restart_priority", to_string(vm.ha_restart_priority)},
              {"order", vm.order},
              {"start_delay", vm.start_delay},
              {"ha_always_run", vm.ha_always_run},
              {"agile", vm.agile}};
}

json to_json(const Pool& pool) {
  return json{{"uuid", pool.uuid},
              {"name_label", pool.name_label},
              {"master", pool.master},
              {"ha_enabled", pool.ha_enabled},
              {"ha_configuration", pool.ha_configuration},
              {"ha_timeout", pool.ha_timeout},
              {"ha_host_failures_to_tolerate", pool.ha_host_failures_to_tolerate},
              {"ha_plan_exists_for", pool.ha_plan_exists_for},
              {"ha_overcommitted", pool.ha_overcommitted},
              {"ha_allow_overcommit", pool.ha_allow_overcommit},
              {"ha_reboot_vm_on_internal_shutdown", pool.ha_reboot_vm_on_internal_shutdown},
              {"ha_statefiles", pool.ha_statefiles}};
}

PowerState read_power_state(ObjectReader& reader, std::string_view key) {
  const std::string text = reader.string(key);
  if (reader.failed()) return PowerState::kHalted;
  const auto state = parse_power_state(text);
  if (!state) reader.fail(key, "expected Halted, Paused, Running or Suspended");
  return state.value_or(PowerState::kHalted);
}

RestartPriority read_restart_priority(ObjectReader& reader, std::string_view key) {
  const std::string text = reader.string(key);
  if (reader.failed()) return RestartPriority::kUnprotected;
  const auto priority = parse_restart_priority(text);
  if (!priority) reader.fail(key, "expected \"restart\", \"best-effort\" or \"\"");
  return priority.value_or(RestartPriority::kUnprotected);
}

Host read_host(ObjectReader& reader) {
  Host host;
  host.uuid = reader.string("uuid");
  host.name_label = reader.string("name_label");
  host.address = reader.string("address");
  host.memory_total = reader.int64("memory_total");
  host.memory_overhead = reader.int64("memory_overhead");
  host.enabled = reader.boolean("enabled");
  host.ha_weight = reader.uint32("ha_weight");
  host.live = reader.boolean("live");
  return host;
}

Sr read_sr(ObjectReader& reader) {
  Sr sr;
  sr.uuid = reader.string("uuid");
  sr.name_label = reader.string("name_label");
  sr.type = reader.string("type");
  sr.shared = reader.boolean("shared");
  sr.heartbeat = reader.boolean("heartbeat");
  return sr;
}

Vm read_vm(ObjectReader& reader) {
  Vm vm;
  vm.uuid = reader.string("uuid");
  vm.name_label = reader.string("name_label");
  vm.power_state = read_power_state(reader, "power_state");
  vm.resident_on = reader.string("resident_on");
  vm.scheduled_to_be_resident_on = reader.string("scheduled_to_be_resident_on");
  vm.memory_static_max = reader.int64("memory_static_max");
  vm.ha_restart_priority = read_restart_priority(reader, "ha_restart_priority");
  vm.order = reader.int64("order");
  vm.start_delay = reader.int64("start_delay");
  vm.ha_always_run = reader.boolean("ha_always_run");
  vm.agile = reader.boolean("agile");
  return vm;
}

Pool read_pool(ObjectReader& reader) {
  Pool pool;
  pool.uuid = reader.string("uuid");
  pool.name_label = reader.string("name_label");
  pool.master = reader.string("master");
  pool.ha_enabled = reader.boolean("ha_enabled");
  pool.ha_configuration = reader.string_map("ha_configuration");
  pool.ha_timeout = reader.int64("ha_timeout");
  pool.ha_host_failures_to_tolerate = reader.int64("ha_host_failures_to_tolerate");
  pool.ha_plan_exists_for = reader.int64("ha_plan_exists_for");
  pool.ha_overcommitted = reader.boolean("ha_overcommitted");
  pool.ha_allow_overcommit = reader.boolean("ha_allow_overcommit");
  pool.ha_reboot_vm_on_internal_shutdown = reader.boolean("ha_reboot_vm_on_internal_shutdown");
  pool.ha_statefiles = reader.string_list("ha_statefiles");
  return pool;
}

}  // namespace poolha::pool::json_detail

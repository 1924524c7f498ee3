#include "localpool/pool_snapshot.h"

#include <algorithm>

namespace poolha::localpool {
namespace {

std::string string_field(const nlohmann::json& record, const char* field) {
  const auto it = record.find(field);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string host_name_of(const std::map<std::string, std::string>& names, const std::string& ref) {
  if (ref.empty() || ref == xe::kNullRef) return "";
  const auto it = names.find(ref);
  return it == names.end() ? ref : it->second;
}

}  // namespace

PoolSnapshot snapshot_from_records(const std::vector<xe::ObjectRecord>& pools,
                                   const std::vector<xe::ObjectRecord>& hosts,
                                   const std::vector<xe::ObjectRecord>& vms) {
  PoolSnapshot snapshot;
  std::map<std::string, std::string> host_names;  // by reference
  for (const xe::ObjectRecord& host : hosts) {
    HostState state;
    state.name = string_field(host.fields, "name_label");
    const auto live = host.fields.find("live");
    state.live = live != host.fields.end() && live->is_boolean() && live->get<bool>();
    const std::string uuid = string_field(host.fields, "uuid");
    if (state.name.empty()) state.name = uuid;
    host_names[host.ref] = state.name;
    snapshot.hosts[uuid] = state;
  }
  if (!pools.empty()) {
    snapshot.master = host_name_of(host_names, string_field(pools.front().fields, "master"));
  }
  for (const xe::ObjectRecord& vm : vms) {
    VmState state;
    state.name = string_field(vm.fields, "name_label");
    state.power_state = string_field(vm.fields, "power_state");
    state.resident_on = host_name_of(host_names, string_field(vm.fields, "resident_on"));
    state.scheduled_on =
        host_name_of(host_names, string_field(vm.fields, "scheduled_to_be_resident_on"));
    state.restart_priority = string_field(vm.fields, "ha_restart_priority");
    snapshot.vms[string_field(vm.fields, "uuid")] = state;
  }
  return snapshot;
}

PoolSnapshot read_snapshot(xe::ApiClient& client) {
  return snapshot_from_records(client.all_records("pool"), client.all_records("host"),
                               client.all_records("VM"));
}

std::vector<std::string> describe_changes(const PoolSnapshot& before, const PoolSnapshot& after) {
  std::vector<std::string> lines;
  for (const auto& [uuid, host] : after.hosts) {
    const auto old = before.hosts.find(uuid);
    if (old == before.hosts.end()) {
      lines.push_back(host.name + " joined the pool" + (host.live ? " (live)" : ""));
    } else if (old->second.live != host.live) {
      lines.push_back(host.name + (host.live ? " live again" : " marked dead"));
    }
  }
  for (const auto& [uuid, host] : before.hosts) {
    if (!after.hosts.contains(uuid)) lines.push_back(host.name + " left the pool");
  }
  if (before.master != after.master) {
    lines.push_back(after.master.empty() ? "no master known" : after.master + " is the master");
  }
  for (const auto& [uuid, vm] : after.vms) {
    const auto old_entry = before.vms.find(uuid);
    if (old_entry == before.vms.end()) {
      lines.push_back(vm.name + " created (" + vm.power_state + ")");
      continue;
    }
    const VmState& old = old_entry->second;
    if (vm.scheduled_on != old.scheduled_on && !vm.scheduled_on.empty()) {
      lines.push_back(vm.name + " restarting on " + vm.scheduled_on);
    }
    if (vm.power_state != old.power_state || vm.resident_on != old.resident_on) {
      if (vm.power_state == "Running") {
        lines.push_back(vm.name + " running on " +
                        (vm.resident_on.empty() ? std::string("no host") : vm.resident_on));
      } else {
        lines.push_back(vm.name + " " + vm.power_state +
                        (old.resident_on.empty() ? "" : " (was on " + old.resident_on + ")"));
      }
    }
    if (vm.restart_priority != old.restart_priority) {
      lines.push_back(vm.name + " ha-restart-priority=" + vm.restart_priority);
    }
  }
  return lines;
}

bool protected_vms_run_on(const PoolSnapshot& snapshot, const std::vector<std::string>& hosts) {
  std::size_t protected_count = 0;
  for (const auto& entry : snapshot.vms) {
    const VmState& vm = entry.second;
    if (vm.restart_priority != "restart") continue;
    ++protected_count;
    if (vm.power_state != "Running") return false;
    if (std::find(hosts.begin(), hosts.end(), vm.resident_on) == hosts.end()) return false;
  }
  return protected_count > 0;
}

}  // namespace poolha::localpool

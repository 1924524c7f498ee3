#include "fake_xen_api.h"

#include <set>

namespace poolha::xe::testing {
namespace {

using nlohmann::json;

// Marks an answer_in_turn entry that is an error to raise.
constexpr const char* kErrorMarker = "raise XenAPI error";

api::XenApiError error(std::vector<std::string> description) {
  return api::XenApiError(std::move(description));
}

// Methods that change the pool and answer nothing.
const std::set<std::string>& void_actions() {
  static const std::set<std::string> methods = {
      "pool.enable_ha", "pool.disable_ha",   "pool.designate_new_master", "VM.start",
      "VM.start_on",    "VM.clean_shutdown", "VM.hard_shutdown",          "host.disable",
      "host.enable",    "host.evacuate",     "host.emergency_ha_disable"};
  return methods;
}

}  // namespace

std::string object_ref(const std::string& uuid) {
  return "OpaqueRef:" + uuid;
}

FakeXenApi::FakeXenApi() {
  add("host", {{"uuid", kHost1Uuid},
               {"name_label", "lab1"},
               {"address", "10.0.0.1"},
               {"enabled", true},
               {"memory_total", 68719476736},
               {"memory_overhead", 1073741824},
               {"memory_free", 34359738368},
               {"live", true},
               {"ha_statefiles", json::array()},
               {"ha_network_peers", json::array()},
               {"resident_VMs", json::array({object_ref(kMinionVmUuid)})}});
  add("host", {{"uuid", kHost2Uuid},
               {"name_label", "lab2"},
               {"address", "10.0.0.2"},
               {"enabled", true},
               {"memory_total", 68719476736},
               {"memory_overhead", 1073741824},
               {"memory_free", 67645734912},
               {"live", true},
               {"ha_statefiles", json::array()},
               {"ha_network_peers", json::array()},
               {"resident_VMs", json::array()}});
  add("SR",
      {{"uuid", kHeartbeatSrUuid}, {"name_label", "MGMT-HA"}, {"type", "nfs"}, {"shared", true}});
  add("SR", {{"uuid", kLocalSrUuid},
             {"name_label", "Local storage"},
             {"type", "lvm"},
             {"shared", false}});
  add("VM", {{"uuid", kMinionVmUuid},
             {"name_label", "Minion 1"},
             {"power_state", "Running"},
             {"resident_on", object_ref(kHost1Uuid)},
             {"scheduled_to_be_resident_on", "OpaqueRef:NULL"},
             {"memory_static_max", 4294967296},
             {"ha_restart_priority", ""},
             {"order", 0},
             {"start_delay", 0},
             {"ha_always_run", false},
             {"is_a_template", false},
             {"is_control_domain", false}});
  add("VM", {{"uuid", kWebVmUuid},
             {"name_label", "web"},
             {"power_state", "Halted"},
             {"resident_on", "OpaqueRef:NULL"},
             {"scheduled_to_be_resident_on", "OpaqueRef:NULL"},
             {"memory_static_max", 2147483648},
             {"ha_restart_priority", "restart"},
             {"order", 1},
             {"start_delay", 10},
             {"ha_always_run", false},
             {"is_a_template", false},
             {"is_control_domain", false}});
  add("pool", {{"uuid", kPoolUuid},
               {"name_label", "Lab pool"},
               {"master", object_ref(kHost1Uuid)},
               {"ha_enabled", false},
               {"ha_configuration", json::object()},
               {"ha_statefiles", json::array()},
               {"ha_host_failures_to_tolerate", 0},
               {"ha_plan_exists_for", 0},
               {"ha_allow_overcommit", false},
               {"ha_overcommitted", false},
               {"ha_reboot_vm_on_internal_shutdown", true},
               {"ha_timeout", 60}});
  answer("pool.ha_compute_max_host_failures_to_tolerate", 1);
}

std::string FakeXenApi::add(const std::string& api_class, json record) {
  const std::string r = object_ref(record.at("uuid").get<std::string>());
  objects_[api_class][r] = std::move(record);
  return r;
}

void FakeXenApi::remove(const std::string& api_class, const std::string& uuid) {
  objects_[api_class].erase(object_ref(uuid));
}

json& FakeXenApi::record(const std::string& api_class, const std::string& uuid) {
  return objects_.at(api_class).at(object_ref(uuid));
}

void FakeXenApi::fail(const std::string& method, std::vector<std::string> description) {
  failures_[method] = std::move(description);
}

void FakeXenApi::fail_transport(const std::string& method) {
  transport_failures_[method] = true;
}

void FakeXenApi::answer(const std::string& method, json result) {
  answers_[method] = std::move(result);
}

json FakeXenApi::xenapi_error(std::vector<std::string> description) {
  return json{{kErrorMarker, std::move(description)}};
}

void FakeXenApi::answer_in_turn(const std::string& method, std::vector<json> results) {
  for (auto& result : results) answers_in_turn_[method].push_back(std::move(result));
}

std::vector<std::string> FakeXenApi::methods() const {
  std::vector<std::string> names;
  for (const auto& c : calls_) names.push_back(c.method);
  return names;
}

std::vector<FakeXenApi::Call> FakeXenApi::actions() const {
  std::vector<Call> result;
  for (const auto& c : calls_) {
    const auto dot = c.method.find('.');
    const std::string verb = c.method.substr(dot + 1);
    if (c.method.rfind("session.", 0) == 0 || verb.rfind("get_", 0) == 0) continue;
    result.push_back(c);
  }
  return result;
}

json FakeXenApi::call(const std::string& method, const json& params) {
  calls_.push_back({method, params});
  if (transport_failures_.contains(method)) throw api::TransportError("connection reset by peer");
  if (const auto f = failures_.find(method); f != failures_.end()) throw error(f->second);
  if (method == "session.login_with_password") {
    const std::string user = params.at(0).get<std::string>();
    if (user != "root" || params.at(1).get<std::string>() != kPassword) {
      throw error({"SESSION_AUTHENTICATION_FAILED", user, "Authentication failure"});
    }
    logged_in_ = true;
    return kSessionRef;
  }
  if (!logged_in_ || params.empty() || params.at(0) != kSessionRef) {
    throw error({"SESSION_INVALID", params.empty() ? "" : params.at(0).dump()});
  }
  if (method == "session.logout") {
    logged_in_ = false;
    logged_out_ = true;
    return nullptr;
  }
  if (auto turn = answers_in_turn_.find(method);
      turn != answers_in_turn_.end() && !turn->second.empty()) {
    json result = std::move(turn->second.front());
    turn->second.pop_front();
    if (result.is_object() && result.contains(kErrorMarker)) {
      throw error(result.at(kErrorMarker).get<std::vector<std::string>>());
    }
    return result;
  }
  if (const auto a = answers_.find(method); a != answers_.end()) return a->second;
  return standard_call(method, params);
}

json FakeXenApi::standard_call(const std::string& method, const json& params) {
  if (void_actions().contains(method)) return nullptr;
  const auto dot = method.find('.');
  const std::string cls = method.substr(0, dot);
  const std::string verb = method.substr(dot + 1);
  const auto objects = objects_.find(cls);
  if (objects == objects_.end()) throw error({"MESSAGE_METHOD_UNKNOWN", method});
  auto& records = objects->second;

  if (verb == "get_all_records") {
    json all = json::object();
    for (const auto& [r, record] : records) all[r] = record;
    return all;
  }
  if (verb == "get_all") {
    json all = json::array();
    for (const auto& [r, record] : records) all.push_back(r);
    return all;
  }
  if (verb == "get_by_uuid" || verb == "get_by_name_label") {
    const std::string wanted = params.at(1).get<std::string>();
    const char* field = verb == "get_by_uuid" ? "uuid" : "name_label";
    json found = json::array();
    for (const auto& [r, record] : records) {
      if (record.at(field) == wanted) found.push_back(r);
    }
    if (verb == "get_by_name_label") return found;
    if (found.empty()) throw error({"UUID_INVALID", cls, wanted});
    return found.front();
  }
  const std::string target =
      params.size() > 1 && params.at(1).is_string() ? params.at(1).get<std::string>() : "";
  const auto object = records.find(target);
  if (object == records.end()) throw error({"HANDLE_INVALID", cls, target});
  if (verb == "get_record") return object->second;
  if (verb.rfind("set_", 0) == 0 && params.size() == 3) {
    const std::string field = verb.substr(4);
    if (!object->second.contains(field)) throw error({"MESSAGE_METHOD_UNKNOWN", method});
    object->second[field] = params.at(2);
    return nullptr;
  }
  throw error({"MESSAGE_METHOD_UNKNOWN", method});
}

}  // namespace poolha::xe::testing

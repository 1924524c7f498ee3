// Record shapes: XenAPI field names, JSON types and references, for every
// class, and the lookups and getters generated from the field tables.
#include "api_test_support.h"

#include "api/object_class.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;

class RecordsTest : public DispatcherFixture {};

TEST_F(RecordsTest, VmRecordsAreKeyedByReference) {
  const Outcome outcome = call("VM.get_all_records");
  ASSERT_TRUE(outcome.ok()) << error_of(outcome).front();
  const json& records = outcome.value();
  ASSERT_EQ(records.size(), 2u);
  const json& vm = records.at(ref(kRunningVmUuid));
  EXPECT_EQ(vm, json::parse(R"({
      "uuid": "vm-running", "name_label": "web", "power_state": "Running",
      "resident_on": "OpaqueRef:host-a", "scheduled_to_be_resident_on": "OpaqueRef:NULL",
      "memory_static_max": 8589934592, "ha_restart_priority": "restart", "order": 1,
      "start_delay": 10, "ha_always_run": true, "is_a_template": false,
      "is_control_domain": false})"));
  const json& halted = records.at(ref(kHaltedVmUuid));
  EXPECT_EQ(halted["power_state"], "Halted");
  EXPECT_EQ(halted["resident_on"], "OpaqueRef:NULL");
  EXPECT_EQ(halted["ha_restart_priority"], "");
}

TEST_F(RecordsTest, PoolRecord) {
  const json pool = call("pool.get_record", {ref(kPoolUuid)}).value();
  EXPECT_EQ(pool, json::parse(R"({
      "uuid": "pool-1", "name_label": "pool one", "master": "OpaqueRef:host-a",
      "ha_enabled": true, "ha_configuration": {"timeout": "90"},
      "ha_statefiles": ["OpaqueRef:sr-heartbeat"], "ha_host_failures_to_tolerate": 1,
      "ha_plan_exists_for": 1, "ha_allow_overcommit": false, "ha_overcommitted": false,
      "ha_reboot_vm_on_internal_shutdown": true, "ha_timeout": 90})"));
  EXPECT_EQ(call("pool.get_all").value(), json::array({ref(kPoolUuid)}));
}

TEST_F(RecordsTest, HostRecordsCombineTheDatabaseAndHaFacts) {
  backend.ha_states[kSlaveUuid] = HostHaState{false, {kHeartbeatSrUuid}, {kMasterUuid}};
  const json hosts = call("host.get_all_records").value();
  EXPECT_EQ(hosts.at(ref(kMasterUuid)), json::parse(R"({
      "uuid": "host-a", "name_label": "host host-a", "address": "192.0.2.1", "enabled": true,
      "memory_total": 68719476736, "memory_overhead": 4294967296,
      "memory_free": 55834574848, "live": true, "ha_statefiles": [], "ha_network_peers": [],
      "resident_VMs": ["OpaqueRef:vm-running"]})"));
  const json& slave = hosts.at(ref(kSlaveUuid));
  EXPECT_EQ(slave["live"], false);  // the HA layer's word over the database's
  EXPECT_EQ(slave["ha_statefiles"], json::array({ref(kHeartbeatSrUuid)}));
  EXPECT_EQ(slave["ha_network_peers"], json::array({kMasterUuid}));
  EXPECT_EQ(slave["memory_free"], 60 * kGiB);
}

TEST_F(RecordsTest, SrRecord) {
  EXPECT_EQ(call("SR.get_record", {ref(kLocalSrUuid)}).value(),
            json::parse(R"({"uuid": "sr-local", "name_label": "local storage", "type": "ext",
                            "shared": false})"));
}

TEST_F(RecordsTest, LookupsByUuidAndNameLabel) {
  EXPECT_EQ(call("VM.get_by_uuid", {kHaltedVmUuid}).value(), ref(kHaltedVmUuid));
  EXPECT_EQ(call("pool.get_by_uuid", {kPoolUuid}).value(), ref(kPoolUuid));
  EXPECT_EQ(call("VM.get_by_name_label", {"web"}).value(), json::array({ref(kRunningVmUuid)}));
  EXPECT_EQ(call("SR.get_by_name_label", {"nothing"}).value(), json::array());
  EXPECT_EQ(error_of(call("pool.get_by_name_label", {"pool one"})).front(),
            "MESSAGE_METHOD_UNKNOWN");
}

TEST_F(RecordsTest, EveryFieldHasAGetterThatAgreesWithTheRecord) {
  const std::vector<std::pair<const ObjectClass*, std::string>> objects = {
      {&pool_class(), kPoolUuid},
      {&host_class(), kMasterUuid},
      {&vm_class(), kRunningVmUuid},
      {&sr_class(), kHeartbeatSrUuid}};
  for (const auto& [cls, uuid] : objects) {
    const json record = call(cls->api_name() + ".get_record", {ref_of(uuid)}).value();
    ASSERT_EQ(record.size(), cls->fields().size());
    for (const auto& [field, value] : record.items()) {
      const std::string getter = cls->api_name() + ".get_" + field;
      const Outcome outcome = call(getter, {ref_of(uuid)});
      ASSERT_TRUE(outcome.ok()) << getter << ": " << error_of(outcome).front();
      EXPECT_EQ(outcome.value(), value) << getter;
    }
  }
}

TEST_F(RecordsTest, PlannerQuestions) {
  EXPECT_EQ(call("pool.ha_compute_max_host_failures_to_tolerate").value(), 1);
  EXPECT_EQ(call("pool.ha_failover_plan_exists", {1}).value(), true);
  EXPECT_EQ(call("pool.ha_failover_plan_exists", {2}).value(), false);
}

TEST_F(RecordsTest, ListMethodsNeedsNoSessionAndNamesEveryMethod) {
  const Outcome outcome = call_now(*dispatcher, "system.listMethods", json::array());
  ASSERT_TRUE(outcome.ok());
  const auto names = outcome.value().get<std::vector<std::string>>();
  for (const char* name :
       {"session.login_with_password", "session.logout", "VM.start", "VM.get_power_state",
        "host.get_live", "pool.enable_ha", "event.from", "system.listMethods",
        "host.emergency_ha_disable", "host.ha_disarm_fencing", "SR.get_shared"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

}  // namespace
}  // namespace poolha::api::test_support

// Every kind of bad input gets the XenAPI error xapi would give, and none
// of them reaches the backend or changes the database.
#include "api_test_support.h"

#include "pool/database_json.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

class BadInputTest : public DispatcherFixture {
 protected:
  // The call fails with `expected`; nothing was asked of the backend and the
  // database is as it was.
  void expect_refused(const std::string& method, json params, const Strings& expected) {
    const std::string before = pool::encode_database(*backend.database());
    EXPECT_EQ(error_of(call(method, std::move(params))), expected) << method;
    EXPECT_TRUE(backend.mutations.empty()) << method << " reached the backend";
    EXPECT_EQ(pool::encode_database(*backend.database()), before) << method;
  }
};

TEST_F(BadInputTest, UnknownMethod) {
  expect_refused("VM.launch", {ref(kHaltedVmUuid)}, {"MESSAGE_METHOD_UNKNOWN", "VM.launch"});
  // Not even a session is needed to learn that.
  EXPECT_EQ(error_of(call_now(*dispatcher, "pool.explode", json::array())),
            (Strings{"MESSAGE_METHOD_UNKNOWN", "pool.explode"}));
}

TEST_F(BadInputTest, WrongParameterCountCountsTheSession) {
  expect_refused("VM.start", {ref(kHaltedVmUuid), false},
                 {"MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.start", "4", "3"});
  expect_refused("VM.clean_shutdown", {ref(kRunningVmUuid), true},
                 {"MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.clean_shutdown", "2", "3"});
  EXPECT_EQ(error_of(call_now(*dispatcher, "VM.get_all", json::array())),
            (Strings{"MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_all", "1", "0"}));
}

TEST_F(BadInputTest, WrongJsonTypeNamesTheParameter) {
  expect_refused("VM.start", {ref(kHaltedVmUuid), "no", false},
                 {"FIELD_TYPE_ERROR", "start_paused"});
  expect_refused("VM.set_order", {ref(kRunningVmUuid), 1.5}, {"FIELD_TYPE_ERROR", "value"});
  expect_refused("VM.set_order", {ref(kRunningVmUuid), "two"}, {"FIELD_TYPE_ERROR", "value"});
  expect_refused("VM.set_order", {42, 2}, {"FIELD_TYPE_ERROR", "self"});
  expect_refused("pool.enable_ha", {ref(kHeartbeatSrUuid), json::object()},
                 {"FIELD_TYPE_ERROR", "heartbeat_srs"});
  expect_refused("pool.enable_ha", {{ref(kHeartbeatSrUuid)}, {{"timeout", 90}}},
                 {"FIELD_TYPE_ERROR", "configuration"});
  expect_refused("event.from", {"vm", "", 1.0}, {"FIELD_TYPE_ERROR", "classes"});
}

TEST_F(BadInputTest, IntegersMayComeAsDecimalStrings) {
  const Answer answer = start("VM.set_order", {ref(kRunningVmUuid), "3"});
  ASSERT_EQ(backend.mutations.size(), 1u);
  EXPECT_EQ(backend.mutations[0].args["value"], 3);
  EXPECT_FALSE(answer.ready());
}

TEST_F(BadInputTest, ReferencesThatResolveToNothing) {
  const std::string ghost = ref("vm-ghost");
  expect_refused("VM.start", {ghost, false, false}, {"HANDLE_INVALID", "VM", ghost});
  expect_refused("VM.get_record", {"OpaqueRef:NULL"}, {"HANDLE_INVALID", "VM", "OpaqueRef:NULL"});
  // A reference of another class does not resolve either.
  expect_refused("VM.start_on", {ref(kHaltedVmUuid), ref(kHaltedVmUuid), false, false},
                 {"HANDLE_INVALID", "host", ref(kHaltedVmUuid)});
  expect_refused("pool.enable_ha", {{ref(kHeartbeatSrUuid), ref("sr-ghost")}, json::object()},
                 {"HANDLE_INVALID", "SR", ref("sr-ghost")});
  expect_refused("pool.set_ha_allow_overcommit", {ref(kMasterUuid), true},
                 {"HANDLE_INVALID", "pool", ref(kMasterUuid)});
  expect_refused("host.disable", {"not a reference"},
                 {"HANDLE_INVALID", "host", "not a reference"});
  expect_refused("event.inject", {"VM", ghost}, {"HANDLE_INVALID", "VM", ghost});
}

TEST_F(BadInputTest, UnknownUuid) {
  expect_refused("VM.get_by_uuid", {"no-such-vm"}, {"UUID_INVALID", "VM", "no-such-vm"});
}

TEST_F(BadInputTest, ValuesOutOfRange) {
  expect_refused("pool.set_ha_host_failures_to_tolerate", {ref(kPoolUuid), -1},
                 {"INVALID_VALUE", "ha_host_failures_to_tolerate", "-1"});
  expect_refused("pool.set_ha_host_failures_to_tolerate", {ref(kPoolUuid), 257},
                 {"INVALID_VALUE", "ha_host_failures_to_tolerate", "257"});
  expect_refused("VM.set_ha_restart_priority", {ref(kRunningVmUuid), "always"},
                 {"INVALID_VALUE", "ha_restart_priority", "always"});
  expect_refused("VM.set_order", {ref(kRunningVmUuid), -2},
                 {"INVALID_VALUE", "order must be non-negative", "-2"});
  expect_refused("VM.set_start_delay", {ref(kRunningVmUuid), -1},
                 {"INVALID_VALUE", "start_delay must be non-negative", "-1"});
  expect_refused("VM.set_start_delay", {ref(kRunningVmUuid), 86401},
                 {"INVALID_VALUE", "start_delay", "86401"});
  expect_refused("pool.enable_ha", {{ref(kHeartbeatSrUuid)}, {{"timeout", "soon"}}},
                 {"INVALID_VALUE", "timeout", "soon"});
  expect_refused("pool.enable_ha", {{ref(kHeartbeatSrUuid)}, {{"timeout", "0"}}},
                 {"INVALID_VALUE", "timeout", "0"});
  expect_refused("pool.ha_failover_plan_exists", {-1}, {"INVALID_VALUE", "n", "-1"});
}

TEST_F(BadInputTest, MalformedEventTokens) {
  expect_refused("event.from", {{"vm"}, "garbage", 0.0},
                 {"EVENT_FROM_TOKEN_PARSE_FAILURE", "garbage"});
  expect_refused("event.from", {{"vm"}, "abc.12x", 0.0},
                 {"EVENT_FROM_TOKEN_PARSE_FAILURE", "abc.12x"});
}

TEST_F(BadInputTest, DisarmingAnotherHostIsRefusedHere) {
  const Outcome outcome = call("host.ha_disarm_fencing", {ref(kSlaveUuid)});
  EXPECT_EQ(error_of(outcome).front(), "OPERATION_NOT_ALLOWED");
  EXPECT_TRUE(backend.mutations.empty());
}

}  // namespace
}  // namespace poolha::api::test_support

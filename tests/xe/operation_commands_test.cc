// Commands that act on chosen objects (vm-start, vm-shutdown, host-disable,
// host-enable, host-evacuate), the remaining pool commands, and event-wait.
#include <string>

#include <gtest/gtest.h>

#include "xe_harness.h"

namespace poolha::xe::testing {
namespace {

using nlohmann::json;

TEST(VmCommands, StartByName) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-start", "vm=web"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(xe.server.methods(),
            (std::vector<std::string>{"session.login_with_password", "VM.get_all_records",
                                      "VM.start", "session.logout"}));
  ASSERT_EQ(xe.server.actions().size(), 1u);
  EXPECT_EQ(xe.server.actions()[0].params,
            json::array({kSessionRef, object_ref(kWebVmUuid), false, false}));
}

TEST(VmCommands, StartOnAHostPausedAndForced) {
  XeHarness xe;
  const XeRun run =
      xe.run({"vm-start", std::string("uuid=") + kWebVmUuid, "on=lab2", "paused=true", "--force"});
  EXPECT_EQ(run.status, 0) << run.err;
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].method, "VM.start_on");
  EXPECT_EQ(actions[0].params,
            json::array({kSessionRef, object_ref(kWebVmUuid), object_ref(kHost2Uuid), true, true}));
}

TEST(VmCommands, StartOnAHostGivenByUuid) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"vm-start", "vm=web", std::string("on=") + kHost1Uuid}).status, 0);
  EXPECT_EQ(xe.server.actions().at(0).params.at(2), object_ref(kHost1Uuid));
}

TEST(VmCommands, StartOnAnUnknownHost) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-start", "vm=web", "on=lab9"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Error: Host lab9 not found\n");
  EXPECT_TRUE(xe.server.actions().empty());
}

TEST(VmCommands, SelectionByFilters) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"vm-start", "power-state=halted"}).status, 0);
  EXPECT_EQ(xe.server.actions().at(0).params.at(1), object_ref(kWebVmUuid));
}

TEST(VmCommands, NoMatch) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-start", "vm=nothing"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Error: No matching VMs found\n");
}

TEST(VmCommands, SeveralMatchesNeedMultiple) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-shutdown"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err,
            "Error: Multiple matches VMs found. --multiple required to complete the operation\n");
  EXPECT_TRUE(xe.server.actions().empty());

  EXPECT_EQ(xe.run({"vm-shutdown", "--multiple"}).status, 0);
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].params.at(1), object_ref(kMinionVmUuid));
  EXPECT_EQ(actions[1].params.at(1), object_ref(kWebVmUuid));
}

TEST(VmCommands, MultipleReportsEachFailure) {
  XeHarness xe;
  xe.server.fail("VM.start", {"HOST_NOT_ENOUGH_FREE_MEMORY", "4294967296", "1073741824"});
  const XeRun run = xe.run({"vm-start", "--multiple"});
  EXPECT_EQ(run.status, 1);
  const std::string message =
      "Not enough server memory is available to perform this operation.\nneeded: "
      "4294967296\navailable: "
      "1073741824\n";
  EXPECT_EQ(run.out, "operation failed on " + std::string(kMinionVmUuid) + ": " + message +
                         "operation failed on " + kWebVmUuid + ": " + message);
  EXPECT_EQ(xe.server.actions().size(), 2u);
}

TEST(VmCommands, ShutdownCleanOrHard) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"vm-shutdown", "vm=Minion 1"}).status, 0);
  EXPECT_EQ(xe.run({"vm-shutdown", std::string("uuid=") + kMinionVmUuid, "--force"}).status, 0);
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].method, "VM.clean_shutdown");
  EXPECT_EQ(actions[0].params, json::array({kSessionRef, object_ref(kMinionVmUuid)}));
  EXPECT_EQ(actions[1].method, "VM.hard_shutdown");
}

TEST(VmCommands, SeedStyleQuotedName) {
  XeHarness xe;
  EXPECT_EQ(xe.run_line("xe vm-shutdown vm=\"Minion 1\" --force").status, 0);
  EXPECT_EQ(xe.server.actions().at(0).method, "VM.hard_shutdown");
}

TEST(HostCommands, DisableEnableEvacuate) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"host-disable", "host=lab2"}).status, 0);
  EXPECT_EQ(xe.run({"host-evacuate", std::string("uuid=") + kHost2Uuid}).status, 0);
  EXPECT_EQ(xe.run({"host-enable", "host=10.0.0.2"}).status, 0);
  EXPECT_EQ(xe.run({"host-enable", "address=10.0.0.1"}).status, 0);
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 4u);
  EXPECT_EQ(actions[0].method, "host.disable");
  EXPECT_EQ(actions[0].params, json::array({kSessionRef, object_ref(kHost2Uuid)}));
  EXPECT_EQ(actions[1].method, "host.evacuate");
  EXPECT_EQ(actions[2].method, "host.enable");
  EXPECT_EQ(actions[2].params, json::array({kSessionRef, object_ref(kHost2Uuid)}));
  EXPECT_EQ(actions[3].params, json::array({kSessionRef, object_ref(kHost1Uuid)}));
}

TEST(HostCommands, EvacuateActsOnOneHostOnly) {
  XeHarness xe;
  const XeRun run = xe.run({"host-evacuate", "--multiple"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err,
            "Error: Multiple matching hosts found. Operation can only be performed on one host at "
            "a time\n");
  EXPECT_EQ(
      xe.run({"host-disable"}).err,
      "Error: Multiple matching hosts found. --multiple required to complete the operation\n");
  EXPECT_EQ(xe.run({"host-disable", "host=lab7"}).err, "Error: No matching hosts found\n");
  EXPECT_TRUE(xe.server.actions().empty());
}

TEST(HostCommands, ServerRefusesToDisableAHost) {
  XeHarness xe;
  xe.server.fail("host.disable", {"HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN"});
  const XeRun run = xe.run({"host-disable", "host=lab1"});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("would invalidate VM failover planning"), std::string::npos);
}

TEST(PoolCommands, DisableHaAndDesignateMaster) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"pool-ha-disable"}).status, 0);
  EXPECT_EQ(xe.run({"pool-designate-new-master", std::string("host-uuid=") + kHost2Uuid}).status,
            0);
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].method, "pool.disable_ha");
  EXPECT_EQ(actions[0].params, json::array({kSessionRef}));
  EXPECT_EQ(actions[1].method, "pool.designate_new_master");
  EXPECT_EQ(actions[1].params, json::array({kSessionRef, object_ref(kHost2Uuid)}));
}

TEST(PoolCommands, EnableHaWithSeveralSrsAndSettings) {
  XeHarness xe;
  const XeRun run = xe.run(
      {"pool-ha-enable", std::string("heartbeat-sr-uuids=") + kHeartbeatSrUuid + "," + kLocalSrUuid,
       "ha-config:timeout=120", "ha-config:other=x"});
  EXPECT_EQ(run.status, 0) << run.err;
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].params,
            json::array({kSessionRef,
                         {object_ref(kHeartbeatSrUuid), object_ref(kLocalSrUuid)},
                         {{"other", "x"}, {"timeout", "120"}}}));
}

TEST(PoolCommands, EnableHaWithAnUnknownSr) {
  XeHarness xe;
  const XeRun run = xe.run({"pool-ha-enable", "heartbeat-sr-uuids=0000"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "The uuid you supplied was invalid.\ntype: SR\nuuid: 0000\n");
  EXPECT_TRUE(xe.server.actions().empty());
}

json records_with_power_state(FakeXenApi& server, const char* state) {
  json all = json::object();
  for (const char* uuid : {kMinionVmUuid, kWebVmUuid})
    all[object_ref(uuid)] = server.record("VM", uuid);
  all[object_ref(kWebVmUuid)]["power_state"] = state;
  return all;
}

TEST(EventWait, WaitsForTheConditionThroughTheEventStream) {
  XeHarness xe;
  xe.server.answer_in_turn("VM.get_all_records", {records_with_power_state(xe.server, "Halted"),
                                                  records_with_power_state(xe.server, "Halted"),
                                                  records_with_power_state(xe.server, "Running")});
  xe.server.answer_in_turn("event.from",
                           {json{{"events", json::array()}, {"token", "t1"}},
                            json{{"events", json::array({{{"class", "vm"}}})}, {"token", "t2"}},
                            json{{"events", json::array({{{"class", "vm"}}})}, {"token", "t3"}}});
  const XeRun run =
      xe.run({"event-wait", "class=vm", std::string("uuid=") + kWebVmUuid, "power-state=running"});
  EXPECT_EQ(run.status, 0) << run.err;
  std::vector<json> event_calls;
  for (const auto& call : xe.server.calls()) {
    if (call.method == "event.from") event_calls.push_back(call.params);
  }
  ASSERT_EQ(event_calls.size(), 3u);
  EXPECT_EQ(event_calls[0], json::array({kSessionRef, {"vm"}, "", 0.0}));
  EXPECT_EQ(event_calls[1], json::array({kSessionRef, {"vm"}, "t1", 30.0}));
  EXPECT_EQ(event_calls[2], json::array({kSessionRef, {"vm"}, "t2", 30.0}));
}

TEST(EventWait, StartsAgainWhenEventsWereLost) {
  XeHarness xe;
  xe.server.answer_in_turn("VM.get_all_records", {records_with_power_state(xe.server, "Halted"),
                                                  records_with_power_state(xe.server, "Running")});
  xe.server.answer_in_turn("event.from", {json{{"events", json::array()}, {"token", "t1"}},
                                          FakeXenApi::xenapi_error({"EVENTS_LOST"}),
                                          json{{"events", json::array()}, {"token", "t9"}}});
  const XeRun run = xe.run({"event-wait", "class=vm", "name-label=web", "power-state=running"});
  EXPECT_EQ(run.status, 0) << run.err;
  std::vector<json> tokens;
  for (const auto& call : xe.server.calls()) {
    if (call.method == "event.from") tokens.push_back(call.params.at(2));
  }
  EXPECT_EQ(tokens, (std::vector<json>{"", "t1", ""}));
}

TEST(EventWait, ConditionAlreadyTrueAndNegation) {
  XeHarness xe;
  xe.server.answer("event.from", json{{"events", json::array()}, {"token", "t1"}});
  EXPECT_EQ(xe.run({"event-wait", "class=host", "name-label=lab2", "enabled=/=false"}).status, 0);
  EXPECT_EQ(xe.server.methods(),
            (std::vector<std::string>{"session.login_with_password", "event.from",
                                      "host.get_all_records", "session.logout"}));
}

TEST(EventWait, UnknownClassOrField) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"event-wait", "class=vdi"}).err,
            "Error: Waiting for events of class 'vdi' is not supported (use one of: pool, host, "
            "vm, sr)\n");
  EXPECT_EQ(xe.run({"event-wait", "class=vm", "colour=red"}).err,
            "Error: Unknown field 'colour'\n");
}

}  // namespace
}  // namespace poolha::xe::testing

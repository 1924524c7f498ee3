// Every xe command line in the seed documents, run verbatim through a bash-
// like expansion against the fake pool: the XenAPI calls it makes, with their
// parameters, and what it prints. Placeholders such as <SR_UUID> are filled
// in the way a reader of the document would before running the line.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "xe_harness.h"

namespace poolha::xe::testing {
namespace {

using nlohmann::json;

json login() {
  return json::array({"root", kPassword, "1.0", "xe"});
}

void expect_calls(const FakeXenApi& server, const std::vector<FakeXenApi::Call>& expected) {
  const auto& calls = server.calls();
  ASSERT_EQ(calls.size(), expected.size()) << [&] {
    std::string listed;
    for (const auto& c : calls) listed += c.method + " " + c.params.dump() + "\n";
    return listed;
  }();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(calls[i].method, expected[i].method) << "call " << i;
    EXPECT_EQ(calls[i].params, expected[i].params)
        << "call " << i << " (" << calls[i].method << ")";
  }
}

std::string fill_placeholders(std::string line) {
  const std::vector<std::pair<std::string, std::string>> values = {
      {"<SR_UUID>", kHeartbeatSrUuid}, {"<Pool_UUID>", kPoolUuid}, {"<VM_UUID>", kWebVmUuid}};
  for (const auto& [placeholder, value] : values) {
    for (auto at = line.find(placeholder); at != std::string::npos; at = line.find(placeholder)) {
      line.replace(at, placeholder.size(), value);
    }
  }
  return line;
}

// seeds/xenserver-native-ha-with-cloudstack.txt: the script that enables pool HA.
TEST(SeedCommands, CloudStackEnableScript) {
  const std::string script =
      "MGMTHAUUID=`xe sr-list name-label=MGMT-HA --minimal`\n"
      "xe pool-ha-enable heartbeat-sr-uuids=$MGMTHAUUID ha-config:timeout=90\n"
      "echo \"Pool HA is now enabled\"\n";
  XeHarness xe;
  ScriptRunner shell(xe);
  shell.run(script);

  EXPECT_EQ(shell.variables().at("MGMTHAUUID"), kHeartbeatSrUuid);
  EXPECT_EQ(shell.output(), "Pool HA is now enabled\n");
  ASSERT_EQ(shell.xe_runs().size(), 2u);
  EXPECT_EQ(shell.xe_runs()[0].status, 0);
  EXPECT_EQ(shell.xe_runs()[0].out, std::string(kHeartbeatSrUuid) + "\n");
  EXPECT_EQ(shell.xe_runs()[1].status, 0);
  EXPECT_EQ(shell.xe_runs()[1].out, "");
  EXPECT_EQ(shell.xe_runs()[1].err, "");
  expect_calls(xe.server, {{"session.login_with_password", login()},
                           {"SR.get_all_records", {kSessionRef}},
                           {"session.logout", {kSessionRef}},
                           {"session.login_with_password", login()},
                           {"SR.get_by_uuid", {kSessionRef, kHeartbeatSrUuid}},
                           {"pool.enable_ha",
                            {kSessionRef, {object_ref(kHeartbeatSrUuid)}, {{"timeout", "90"}}}},
                           {"session.logout", {kSessionRef}}});
  EXPECT_EQ(xe.last_settings.server, "10.0.0.1");
}

// The same script when no SR is called MGMT-HA: the lookup prints an empty
// line, and enabling HA is refused by the server instead of picking some SR.
TEST(SeedCommands, CloudStackEnableScriptWithoutTheSr) {
  XeHarness xe;
  xe.server.remove("SR", kHeartbeatSrUuid);
  ScriptRunner shell(xe);
  shell.run(
      "MGMTHAUUID=`xe sr-list name-label=MGMT-HA --minimal`\n"
      "xe pool-ha-enable heartbeat-sr-uuids=$MGMTHAUUID ha-config:timeout=90\n");
  ASSERT_EQ(shell.xe_runs().size(), 2u);
  EXPECT_EQ(shell.xe_runs()[0].out, "\n");
  EXPECT_EQ(shell.variables().at("MGMTHAUUID"), "");
  EXPECT_EQ(shell.xe_runs()[1].status, 1);
  EXPECT_EQ(shell.xe_runs()[1].err, "The uuid you supplied was invalid.\ntype: SR\nuuid: \n");
  EXPECT_TRUE(xe.server.actions().empty());
}

// seeds/xenserver-native-ha-with-cloudstack.txt: recovering a host in emergency mode.
TEST(SeedCommands, EmergencyHaDisableWithForceSwitch) {
  XeHarness xe;
  const XeRun run = xe.run_line("xe host-emergency-ha-disable --force");
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
  expect_calls(xe.server, {{"session.login_with_password", login()},
                           {"host.emergency_ha_disable", {kSessionRef, false}},
                           {"session.logout", {kSessionRef}}});
}

// seeds/mis-configured-ha-hazards.txt quotes the command inside a sentence.
TEST(SeedCommands, EmergencyHaDisableWithForceParameter) {
  const std::string sentence =
      "you’re going to have to know how to use the “xe host-emergency-ha-disable force=true” "
      "command to resolve your problems.";
  const std::string open = "“";
  const std::string close = "”";
  const auto start = sentence.find(open) + open.size();
  const std::string line = sentence.substr(start, sentence.find(close) - start);
  ASSERT_EQ(line, "xe host-emergency-ha-disable force=true");

  XeHarness xe;
  const XeRun run = xe.run_line(line);
  EXPECT_EQ(run.status, 0);
  expect_calls(xe.server, {{"session.login_with_password", login()},
                           {"host.emergency_ha_disable", {kSessionRef, false}},
                           {"session.logout", {kSessionRef}}});
}

TEST(SeedCommands, EmergencyHaDisableWithoutForceIsRefusedBeforeConnecting) {
  for (const char* line :
       {"xe host-emergency-ha-disable", "xe host-emergency-ha-disable force=false",
        "xe host-emergency-ha-disable soft=true"}) {
    XeHarness xe;
    const XeRun run = xe.run_line(line);
    EXPECT_EQ(run.status, 1) << line;
    EXPECT_EQ(run.out, "") << line;
    EXPECT_EQ(run.err,
              "Error: This operation is dangerous and may cause data loss. This operation must be "
              "forced (use --force).\n")
        << line;
    EXPECT_EQ(xe.connections, 0) << line;
    EXPECT_TRUE(xe.server.calls().empty()) << line;
  }
}

TEST(SeedCommands, EmergencyHaDisableSoft) {
  XeHarness xe;
  EXPECT_EQ(xe.run_line("xe host-emergency-ha-disable --force soft=true").status, 0);
  ASSERT_EQ(xe.server.actions().size(), 1u);
  EXPECT_EQ(xe.server.actions()[0].params, json::array({kSessionRef, true}));
}

// seeds/understand-xenserver-vm-ha.txt, every "$ xe" line.
TEST(SeedCommands, EnableHaOnAnSr) {
  XeHarness xe;
  const XeRun run =
      xe.run_line(fill_placeholders("xe pool-ha-enable heartbeat-sr-uuids=<SR_UUID>"));
  EXPECT_EQ(run.status, 0);
  expect_calls(xe.server,
               {{"session.login_with_password", login()},
                {"SR.get_by_uuid", {kSessionRef, kHeartbeatSrUuid}},
                {"pool.enable_ha", {kSessionRef, {object_ref(kHeartbeatSrUuid)}, json::object()}},
                {"session.logout", {kSessionRef}}});
}

TEST(SeedCommands, ComputeMaxHostFailuresToTolerate) {
  XeHarness xe;
  ScriptRunner shell(xe);
  shell.run("$ xe pool-ha-compute-max-host-failures-to-tolerate\n");
  EXPECT_EQ(shell.output(), "1\n");
  expect_calls(xe.server, {{"session.login_with_password", login()},
                           {"pool.ha_compute_max_host_failures_to_tolerate", {kSessionRef}},
                           {"session.logout", {kSessionRef}}});
}

TEST(SeedCommands, SetHostFailuresToTolerate) {
  XeHarness xe;
  ScriptRunner shell(xe);
  shell.run(
      fill_placeholders("$ xe pool-param-set ha-host-failures-to-tolerate=1 uuid=<Pool_UUID>\n"));
  ASSERT_EQ(shell.xe_runs().size(), 1u);
  EXPECT_EQ(shell.xe_runs()[0].status, 0);
  EXPECT_EQ(shell.output(), "");
  expect_calls(xe.server,
               {{"session.login_with_password", login()},
                {"pool.get_by_uuid", {kSessionRef, kPoolUuid}},
                {"pool.set_ha_host_failures_to_tolerate", {kSessionRef, object_ref(kPoolUuid), 1}},
                {"session.logout", {kSessionRef}}});
  EXPECT_EQ(xe.server.record("pool", kPoolUuid).at("ha_host_failures_to_tolerate"), 1);
}

TEST(SeedCommands, ProtectAVm) {
  XeHarness xe;
  ScriptRunner shell(xe);
  shell.run(fill_placeholders("$ xe vm-param-set uuid=<VM_UUID> ha-restart-priority=restart\n"));
  ASSERT_EQ(shell.xe_runs().size(), 1u);
  EXPECT_EQ(shell.xe_runs()[0].status, 0);
  expect_calls(xe.server,
               {{"session.login_with_password", login()},
                {"VM.get_by_uuid", {kSessionRef, kWebVmUuid}},
                {"VM.set_ha_restart_priority", {kSessionRef, object_ref(kWebVmUuid), "restart"}},
                {"session.logout", {kSessionRef}}});
}

// The design brief's pool-operator commands, with a uuid where it writes "…".
TEST(SeedCommands, DesignBriefOperatorCommands) {
  XeHarness xe;
  ScriptRunner shell(xe);
  shell.run(std::string("xe pool-ha-enable heartbeat-sr-uuids=") + kHeartbeatSrUuid +
            " ha-config:timeout=90\n" + "xe vm-param-set uuid=" + kMinionVmUuid +
            " ha-restart-priority=restart\n" +
            "xe pool-ha-compute-max-host-failures-to-tolerate\n" +
            "xe pool-param-set ha-host-failures-to-tolerate=1 uuid=" + kPoolUuid + "\n" +
            "xe host-emergency-ha-disable --force\n");
  for (const auto& run : shell.xe_runs()) EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(shell.output(), "1\n");
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 5u);
  EXPECT_EQ(actions[0].method, "pool.enable_ha");
  EXPECT_EQ(actions[1].method, "VM.set_ha_restart_priority");
  EXPECT_EQ(actions[2].method, "pool.ha_compute_max_host_failures_to_tolerate");
  EXPECT_EQ(actions[3].method, "pool.set_ha_host_failures_to_tolerate");
  EXPECT_EQ(actions[4].method, "host.emergency_ha_disable");
}

}  // namespace
}  // namespace poolha::xe::testing

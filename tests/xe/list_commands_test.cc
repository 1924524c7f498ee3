// The generic class commands: <class>-list with filters, params= and
// --minimal; <class>-param-list, -param-get and -param-set.
#include <string>

#include <gtest/gtest.h>

#include "xe_harness.h"

namespace poolha::xe::testing {
namespace {

using nlohmann::json;

TEST(ListCommands, SrListPrintsXeRecords) {
  XeHarness xe;
  const XeRun run = xe.run({"sr-list"});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out, std::string("uuid ( RO)          : ") + kHeartbeatSrUuid +
                         "\n"
                         "    name-label ( RW): MGMT-HA\n"
                         "          type ( RO): nfs\n"
                         "\n"
                         "uuid ( RO)          : " +
                         kLocalSrUuid +
                         "\n"
                         "    name-label ( RW): Local storage\n"
                         "          type ( RO): lvm\n"
                         "\n");
}

TEST(ListCommands, FilterOnNameLabel) {
  XeHarness xe;
  const XeRun run = xe.run({"sr-list", "name-label=MGMT-HA"});
  EXPECT_EQ(run.out, std::string("uuid ( RO)          : ") + kHeartbeatSrUuid +
                         "\n    name-label ( RW): MGMT-HA\n          type ( RO): nfs\n\n");
}

TEST(ListCommands, FilterMatchingNothingPrintsNothing) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"sr-list", "name-label=nope"}).out, "");
  const XeRun minimal = xe.run({"sr-list", "name-label=nope", "--minimal"});
  EXPECT_EQ(minimal.status, 0);
  EXPECT_EQ(minimal.out, "\n");
}

TEST(ListCommands, MinimalIsCommaSeparatedUuids) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"sr-list", "--minimal"}).out,
            std::string(kHeartbeatSrUuid) + "," + kLocalSrUuid + "\n");
  EXPECT_EQ(xe.run({"sr-list", "minimal=true"}).out,
            std::string(kHeartbeatSrUuid) + "," + kLocalSrUuid + "\n");
  EXPECT_EQ(xe.run({"pool-list", "--minimal"}).out, std::string(kPoolUuid) + "\n");
}

TEST(ListCommands, MinimalPrintsTheFirstChosenFieldEscaped) {
  XeHarness xe;
  xe.server.record("SR", kLocalSrUuid)["name_label"] = "local, fast\\slow";
  EXPECT_EQ(xe.run({"sr-list", "params=name-label", "--minimal"}).out,
            "MGMT-HA,local\\, fast\\\\slow\n");
}

TEST(ListCommands, PowerStateFilterAndDefaultVmFields) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-list", "power-state=running"});
  EXPECT_EQ(run.out, std::string("uuid ( RO)           : ") + kMinionVmUuid +
                         "\n"
                         "     name-label ( RW): Minion 1\n"
                         "    power-state ( RO): running\n"
                         "\n");
  EXPECT_EQ(xe.run({"vm-list", "power-state=halted", "--minimal"}).out,
            std::string(kWebVmUuid) + "\n");
  // xe prints power states in lower case; the filter takes either case.
  EXPECT_EQ(xe.run({"vm-list", "power-state=Halted", "--minimal"}).out,
            std::string(kWebVmUuid) + "\n");
}

TEST(ListCommands, UuidFilter) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"host-list", std::string("uuid=") + kHost2Uuid, "params=name-label"}).out,
            "name-label ( RW)    : lab2\n\n");
}

TEST(ListCommands, ParamsSelectsFieldsInXeOrder) {
  XeHarness xe;
  const XeRun run =
      xe.run({"vm-list", "name-label=web", "params=order,ha-restart-priority,name-label"});
  EXPECT_EQ(run.out,
            "name-label ( RW)             : web\n"
            "    ha-restart-priority ( RW): restart\n"
            "                  order ( RW): 1\n"
            "\n");
}

TEST(ListCommands, ParamsAllShowsEveryFieldTheServerHas) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-list", "name-label=web", "params=all"});
  EXPECT_EQ(run.out, "uuid ( RO)                          : " + std::string(kWebVmUuid) + "\n" +
                         "                    name-label ( RW): web\n" +
                         "                 is-a-template ( RW): false\n" +
                         "             is-control-domain ( RO): false\n" +
                         "                   power-state ( RO): halted\n" +
                         "             memory-static-max ( RW): 2147483648\n" +
                         "                   resident-on ( RO): <not in database>\n" +
                         "    ha-always-run ( RW) [DEPRECATED]: false\n" +
                         "           ha-restart-priority ( RW): restart\n" +
                         "                   start-delay ( RW): 10\n" +
                         "                         order ( RW): 1\n" + "\n");
}

TEST(ListCommands, ReferencesArePrintedAsUuids) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-list", "name-label=Minion 1", "params=resident-on"});
  EXPECT_EQ(run.out, std::string("resident-on ( RO)    : ") + kHost1Uuid + "\n\n");
  // The hosts are read once, only because a reference had to be shown.
  EXPECT_EQ(xe.server.methods(),
            (std::vector<std::string>{"session.login_with_password", "VM.get_all_records",
                                      "host.get_all_records", "session.logout"}));
}

TEST(ListCommands, FilterOnAReferenceField) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"vm-list", std::string("resident-on=") + kHost1Uuid, "--minimal"}).out,
            std::string(kMinionVmUuid) + "\n");
}

TEST(ListCommands, SetAndMapFilters) {
  XeHarness xe;
  EXPECT_EQ(
      xe.run({"host-list", std::string("resident-vms:contains=") + kMinionVmUuid, "--minimal"}).out,
      std::string(kHost1Uuid) + "\n");
  xe.server.record("pool", kPoolUuid)["ha_configuration"] = {{"timeout", "90"}};
  EXPECT_EQ(xe.run({"pool-list", "ha-configuration:timeout=90", "--minimal"}).out,
            std::string(kPoolUuid) + "\n");
  EXPECT_EQ(xe.run({"pool-list", "ha-configuration:timeout=30", "--minimal"}).out, "\n");
}

TEST(ListCommands, UnknownFilterIsRefusedBeforeConnecting) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-list", "colour=blue"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Error: Unknown field 'colour'\n");
  EXPECT_EQ(xe.connections, 0);
  EXPECT_EQ(xe.run({"vm-list", "order:contains=1"}).err,
            "Error: Field 'order' is not a set or map\n");
  EXPECT_EQ(xe.run({"host-list", "resident-vms:has=x"}).err,
            "Error: Invalid syntax for set filtering (should be set-param:contains=key)\n");
}

TEST(ListCommands, UnknownParamsFieldIsAnError) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-list", "params=uuid,colour"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Error: Unknown field 'colour'\n");
  EXPECT_EQ(run.out, "");
}

TEST(ParamCommands, PoolParamListShowsTheHaFields) {
  XeHarness xe;
  xe.server.record("pool", kPoolUuid)["ha_enabled"] = true;
  xe.server.record("pool", kPoolUuid)["ha_configuration"] = {{"timeout", "90"}};
  xe.server.record("pool", kPoolUuid)["ha_statefiles"] = {object_ref(kHeartbeatSrUuid)};
  const XeRun run = xe.run({"pool-param-list", std::string("uuid=") + kPoolUuid});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out,
            "uuid ( RO)                                 : " + std::string(kPoolUuid) + "\n" +
                "                           name-label ( RW): Lab pool\n" +
                "                               master ( RO): " + std::string(kHost1Uuid) + "\n" +
                "                           ha-enabled ( RO): true\n" +
                "                     ha-configuration ( RO): timeout: 90\n" +
                "                        ha-statefiles ( RO): " + std::string(kHeartbeatSrUuid) +
                "\n" + "         ha-host-failures-to-tolerate ( RW): 0\n" +
                "                   ha-plan-exists-for ( RO): 0\n" +
                "                  ha-allow-overcommit ( RW): false\n" +
                "                     ha-overcommitted ( RO): false\n" +
                "    ha-reboot-vm-on-internal-shutdown ( RW): true\n" +
                "                           ha-timeout ( RO): 60\n" + "\n");
}

TEST(ParamCommands, ParamGetPrintsTheBareValue) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"pool-param-get", std::string("uuid=") + kPoolUuid, "param-name=master"}).out,
            std::string(kHost1Uuid) + "\n");
  EXPECT_EQ(
      xe.run({"vm-param-get", std::string("uuid=") + kWebVmUuid, "param-name=resident-on"}).out,
      "<not in database>\n");
  EXPECT_EQ(
      xe.run({"vm-param-get", std::string("uuid=") + kWebVmUuid, "param-name=power-state"}).out,
      "halted\n");
  EXPECT_EQ(
      xe.run({"host-param-get", std::string("uuid=") + kHost2Uuid, "param-name=memory-free"}).out,
      "67645734912\n");
  EXPECT_EQ(
      xe.run({"sr-param-get", std::string("uuid=") + kHeartbeatSrUuid, "param-name=shared"}).out,
      "true\n");
}

TEST(ParamCommands, ParamGetCallsByUuidThenRecord) {
  XeHarness xe;
  xe.run({"sr-param-get", std::string("uuid=") + kHeartbeatSrUuid, "param-name=type"});
  EXPECT_EQ(xe.server.methods(),
            (std::vector<std::string>{"session.login_with_password", "SR.get_by_uuid",
                                      "SR.get_record", "session.logout"}));
}

TEST(ParamCommands, ParamGetOfAMapKey) {
  XeHarness xe;
  xe.server.record("pool", kPoolUuid)["ha_configuration"] = {{"timeout", "90"}};
  const std::string uuid = std::string("uuid=") + kPoolUuid;
  EXPECT_EQ(xe.run({"pool-param-get", uuid, "param-name=ha-configuration"}).out, "timeout: 90\n");
  EXPECT_EQ(
      xe.run({"pool-param-get", uuid, "param-name=ha-configuration", "param-key=timeout"}).out,
      "90\n");
  const XeRun missing =
      xe.run({"pool-param-get", uuid, "param-name=ha-configuration", "param-key=x"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err, "Error: Key x not found in map\n");
  EXPECT_EQ(xe.run({"pool-param-get", uuid, "param-name=master", "param-key=x"}).err,
            "Error: Field 'master' is not a map\n");
}

TEST(ParamCommands, ParamGetOfAnUnknownField) {
  XeHarness xe;
  const XeRun run =
      xe.run({"vm-param-get", std::string("uuid=") + kWebVmUuid, "param-name=colour"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Error code: Missing parameter\nError parameters: colour\n");
  EXPECT_EQ(run.out, "");
}

TEST(ParamCommands, ParamGetOfAnUnknownUuid) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-param-get", "uuid=0000", "param-name=uuid"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "The uuid you supplied was invalid.\ntype: VM\nuuid: 0000\n");
  EXPECT_TRUE(xe.server.logged_out());
}

TEST(ParamCommands, ParamSetConvertsValuesToTheirTypes) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-param-set", std::string("uuid=") + kWebVmUuid, "order=2",
                            "start-delay=30", "ha-restart-priority=best-effort"});
  EXPECT_EQ(run.status, 0) << run.err;
  const auto actions = xe.server.actions();
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0].method, "VM.set_order");
  EXPECT_EQ(actions[0].params, json::array({kSessionRef, object_ref(kWebVmUuid), 2}));
  EXPECT_EQ(actions[1].method, "VM.set_start_delay");
  EXPECT_EQ(actions[1].params, json::array({kSessionRef, object_ref(kWebVmUuid), 30}));
  EXPECT_EQ(actions[2].method, "VM.set_ha_restart_priority");
  EXPECT_EQ(actions[2].params, json::array({kSessionRef, object_ref(kWebVmUuid), "best-effort"}));

  EXPECT_EQ(xe.run({"pool-param-set", std::string("uuid=") + kPoolUuid, "ha-allow-overcommit=yes"})
                .status,
            0);
  EXPECT_EQ(xe.server.record("pool", kPoolUuid).at("ha_allow_overcommit"), true);
}

TEST(ParamCommands, ParamSetRefusesBadInputBeforeConnecting) {
  XeHarness xe;
  const std::string uuid = std::string("uuid=") + kWebVmUuid;
  EXPECT_EQ(xe.run({"vm-param-set", uuid, "order=first"}).err,
            "Error: Failed to parse parameter 'order': expecting an integer\n");
  EXPECT_EQ(xe.run({"vm-param-set", uuid, "power-state=running"}).err,
            "Error: Field 'power-state' is read-only.\n");
  EXPECT_EQ(xe.run({"vm-param-set", uuid, "colour=blue"}).err, "Error: Unknown field 'colour'\n");
  EXPECT_EQ(
      xe.run({"pool-param-set", std::string("uuid=") + kPoolUuid, "ha-allow-overcommit=maybe"}).err,
      "Error: Failed to parse parameter 'ha-allow-overcommit': expecting a boolean (true or "
      "false)\n");
  EXPECT_EQ(xe.run({"vm-param-set", "order=1"}).err,
            "Required parameter not found: uuid\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.connections, 0);
}

TEST(ParamCommands, ParamSetReportsTheServersRefusal) {
  XeHarness xe;
  xe.server.fail("pool.set_ha_host_failures_to_tolerate",
                 {"HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN"});
  const XeRun run = xe.run(
      {"pool-param-set", "ha-host-failures-to-tolerate=2", std::string("uuid=") + kPoolUuid});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(
      run.err,
      "This operation cannot be performed because it would invalidate VM failover planning "
      "such that the system would be unable to guarantee to restart protected VMs after a Host "
      "failure.\n");
  EXPECT_TRUE(xe.server.logged_out());
}

}  // namespace
}  // namespace poolha::xe::testing

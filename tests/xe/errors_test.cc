// How xe reports failures: XenAPI errors with their parameters, unknown
// commands, missing or unknown parameters, connection and login failures,
// and the exit status of each.
#include <string>

#include <gtest/gtest.h>

#include "xe/error_text.h"
#include "xe_harness.h"

namespace poolha::xe::testing {
namespace {

std::vector<std::string> lines_of(const std::vector<std::string>& description) {
  return xenapi_error_lines(description, [](const std::string& text) { return text; });
}

TEST(ErrorText, DocumentedCodeWithNamedParameters) {
  EXPECT_EQ(
      lines_of({"UUID_INVALID", "VM", "0000"}),
      (std::vector<std::string>{"The uuid you supplied was invalid.", "type: VM", "uuid: 0000"}));
  EXPECT_EQ(
      lines_of({"HOST_IS_SLAVE", "10.0.0.1"}),
      (std::vector<std::string>{"You cannot make regular API calls directly on a supporter. Please "
                                "pass API calls via the coordinator host.",
                                "Master IP address: 10.0.0.1"}));
  EXPECT_EQ(lines_of({"MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.start", "4", "3"})[1],
            "method: VM.start");
  EXPECT_EQ(lines_of({"HA_NOT_ENABLED"}),
            (std::vector<std::string>{
                "The operation could not be performed because HA is not enabled on the Pool"}));
}

TEST(ErrorText, MissingAndSurplusParametersAreShown) {
  const auto short_lines = lines_of({"VM_BAD_POWER_STATE"});
  ASSERT_EQ(short_lines.size(), 4u);
  EXPECT_EQ(short_lines[1], "vm: <unknown>");
  EXPECT_EQ(short_lines[3], "actual: <unknown>");
  const auto long_lines = lines_of({"HA_IS_ENABLED", "surplus"});
  ASSERT_EQ(long_lines.size(), 2u);
  EXPECT_EQ(long_lines[1], "<extra>: surplus");
}

TEST(ErrorText, UnknownCodeIsPrintedGenerically) {
  EXPECT_EQ(lines_of({"HA_FROBNICATED", "a", "b"}),
            (std::vector<std::string>{"Error code: HA_FROBNICATED", "Error parameters: a, b"}));
  EXPECT_EQ(lines_of({"HA_FROBNICATED"}),
            (std::vector<std::string>{"Error code: HA_FROBNICATED", "Error parameters: "}));
}

TEST(Errors, ServerErrorNamesTheVmByUuidAndName) {
  XeHarness xe;
  xe.server.fail("VM.start",
                 {"VM_BAD_POWER_STATE", object_ref(kMinionVmUuid), "halted", "running"});
  const XeRun run = xe.run({"vm-start", "vm=Minion 1"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(
      run.err,
      "You attempted an operation on a VM that was not in an appropriate power state at the "
      "time; for example, you attempted to start a VM that was already running. The parameters "
      "returned are the VM's handle, and the expected and actual VM state at the time of the "
      "call.\n"
      "vm: " +
          std::string(kMinionVmUuid) +
          " (Minion 1)\n"
          "expected: halted\n"
          "actual: running\n");
  EXPECT_TRUE(xe.server.logged_out());
}

TEST(Errors, FailoverPlanRefusal) {
  XeHarness xe;
  xe.server.fail("VM.start", {"HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN"});
  const XeRun run = xe.run({"vm-start", "vm=web"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err.rfind(
                "This operation cannot be performed because it would invalidate VM failover", 0),
            0u);
}

TEST(Errors, HaStateErrors) {
  XeHarness xe;
  xe.server.fail("pool.disable_ha", {"HA_NOT_ENABLED"});
  EXPECT_EQ(xe.run({"pool-ha-disable"}).err,
            "The operation could not be performed because HA is not enabled on the Pool\n");
  xe.server.fail("pool.enable_ha", {"HA_IS_ENABLED"});
  const XeRun run =
      xe.run({"pool-ha-enable", std::string("heartbeat-sr-uuids=") + kHeartbeatSrUuid});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "The operation could not be performed because HA is enabled on the Pool\n");
}

TEST(Errors, UnknownCodeFromTheServer) {
  XeHarness xe;
  xe.server.fail("pool.disable_ha", {"POOLHA_SOMETHING_NEW", "x"});
  const XeRun run = xe.run({"pool-ha-disable"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Error code: POOLHA_SOMETHING_NEW\nError parameters: x\n");
}

TEST(Errors, MinimalOutputIsNotPrintedWhenTheCommandFails) {
  XeHarness xe;
  xe.server.fail("pool.ha_compute_max_host_failures_to_tolerate", {"HA_NOT_ENABLED"});
  const XeRun run = xe.run({"pool-ha-compute-max-host-failures-to-tolerate", "--minimal"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
}

TEST(Errors, UnknownCommand) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-frobnicate", "uuid=1"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Unknown command: vm-frobnicate\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.connections, 0);
}

TEST(Errors, MissingRequiredParameter) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-param-get", "uuid=1"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Required parameter not found: param-name\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.connections, 0);
}

TEST(Errors, UnknownParameterIsRefused) {
  XeHarness xe;
  // A misspelt heartbeat-sr-uuids must not enable HA with no SR chosen.
  const XeRun run =
      xe.run({"pool-ha-enable", std::string("heartbeat-sr-uuid=") + kHeartbeatSrUuid});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err,
            "Error: Unknown parameter 'heartbeat-sr-uuid' for command pool-ha-enable (see: xe help "
            "pool-ha-enable)\n");
  EXPECT_EQ(xe.connections, 0);
}

TEST(Errors, BadBooleanFlag) {
  XeHarness xe;
  const XeRun run = xe.run({"vm-shutdown", "vm=web", "force=maybe"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err,
            "Error: Failed to parse parameter 'force': Expected "
            "'true','t','yes','y','1','false','f','no','n','0' got maybe\n");
  EXPECT_TRUE(xe.server.actions().empty());
}

TEST(Errors, SyntaxErrors) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"name-label=x"}).err,
            "Syntax error: command name is missing\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.run({"sr-list", "-x"}).err,
            "Syntax error: Unknown switch: -x\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.run({"sr-list", "-s"}).err,
            "Syntax error: Switch -s requires a parameter\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.run({"sr-list", "-s"}).status, 1);
  EXPECT_EQ(xe.connections, 0);
}

TEST(Errors, ConnectionRefused) {
  XeHarness xe;
  xe.refuse_connections = "connect: Connection refused";
  const XeRun run = xe.run({"sr-list"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "Unable to contact server. Please check server and port settings.\n"
            "(10.0.0.1:80: connect: Connection refused)\n");
}

TEST(Errors, ConnectionLostDuringTheCommand) {
  XeHarness xe;
  xe.server.fail_transport("pool.enable_ha");
  const XeRun run =
      xe.run({"pool-ha-enable", std::string("heartbeat-sr-uuids=") + kHeartbeatSrUuid});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Lost connection to the server.\n(10.0.0.1:80: connection reset by peer)\n");
  // No logout on a connection that is gone.
  EXPECT_EQ(xe.server.methods().back(), "pool.enable_ha");
}

TEST(Errors, AuthenticationFailure) {
  XeHarness xe;
  const XeRun run = xe.run({"sr-list", "-pw", "wrong"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Authentication failed\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.server.methods(), std::vector<std::string>{"session.login_with_password"});
  const XeRun nobody = xe.run({"sr-list", "-u", "", "-pw", ""});
  EXPECT_EQ(nobody.err, "Username/password must be specified\nFor usage run: 'xe help'\n");
}

TEST(Errors, AnswerOfTheWrongShape) {
  XeHarness xe;
  xe.server.answer("SR.get_all_records", nlohmann::json::array());
  const XeRun run = xe.run({"sr-list"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err,
            "Error: unexpected answer from the server: SR.get_all_records answered with something "
            "that is not a map of records\n");
  EXPECT_TRUE(xe.server.logged_out());
  xe.server.answer("pool.ha_compute_max_host_failures_to_tolerate", "many");
  EXPECT_EQ(
      xe.run({"pool-ha-compute-max-host-failures-to-tolerate"}).err,
      "Error: unexpected answer from the server: pool.ha_compute_max_host_failures_to_tolerate "
      "answered with \"many\", not a number\n");
}

TEST(Errors, FailedLogoutDoesNotFailTheCommand) {
  XeHarness xe;
  xe.server.fail("session.logout", {"SESSION_INVALID", kSessionRef});
  const XeRun run = xe.run({"pool-list", "--minimal"});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out, std::string(kPoolUuid) + "\n");
  EXPECT_EQ(run.err, "");
}

}  // namespace
}  // namespace poolha::xe::testing

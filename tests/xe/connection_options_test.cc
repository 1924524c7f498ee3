// Where xe connects and as whom: ~/.xe, XE_EXTRA_ARGS, the command line's
// switches and key=value settings, the password file, their priorities;
// usage and help, which need no server.
#include <string>

#include <gtest/gtest.h>

#include "xe_harness.h"

namespace poolha::xe::testing {
namespace {

TEST(ConnectionOptions, RcFileGivesTheDefaults) {
  XeHarness xe;
  EXPECT_EQ(xe.run({"pool-list", "--minimal"}).status, 0);
  EXPECT_EQ(xe.last_settings.server, "10.0.0.1");
  EXPECT_EQ(xe.last_settings.port, 80);
  EXPECT_EQ(xe.last_settings.username, "root");
  EXPECT_EQ(xe.last_settings.password, kPassword);
}

TEST(ConnectionOptions, SwitchesOverrideTheRcFileAnywhereOnTheLine) {
  XeHarness xe;
  xe.run({"pool-list", "-s", "pool-master.lab", "--minimal", "-p", "8080", "-u", "root", "-pw",
          kPassword});
  EXPECT_EQ(xe.last_settings.server, "pool-master.lab");
  EXPECT_EQ(xe.last_settings.port, 8080);
  xe.run({"-h", "10.1.1.1", "pool-list", "port=9090"});
  EXPECT_EQ(xe.last_settings.server, "10.1.1.1");
  EXPECT_EQ(xe.last_settings.port, 9090);
}

TEST(ConnectionOptions, ExtraArgsSitBetweenRcFileAndCommandLine) {
  XeHarness xe;
  xe.variables["XE_EXTRA_ARGS"] = "server=10.2.2.2,port=8443";
  xe.run({"pool-list"});
  EXPECT_EQ(xe.last_settings.server, "10.2.2.2");
  EXPECT_EQ(xe.last_settings.port, 8443);
  xe.run({"pool-list", "-s", "10.3.3.3"});
  EXPECT_EQ(xe.last_settings.server, "10.3.3.3");
  EXPECT_EQ(xe.last_settings.port, 8443);
}

TEST(ConnectionOptions, ExtraArgsAndRcKeysThatAreNotSettingsBecomeParameters) {
  XeHarness xe;
  xe.variables["XE_EXTRA_ARGS"] = "params=name-label";
  xe.files[std::string(kHome) + "/.xe"] += "minimal=true\n";
  EXPECT_EQ(xe.run({"sr-list"}).out, "MGMT-HA,Local storage\n");
}

TEST(ConnectionOptions, ExtraArgsEscapedComma) {
  XeHarness xe;
  xe.server.record("SR", kLocalSrUuid)["name_label"] = "a,b";
  xe.variables["XE_EXTRA_ARGS"] = "name-label=a\\,b";
  EXPECT_EQ(xe.run({"sr-list", "--minimal"}).out, std::string(kLocalSrUuid) + "\n");
}

TEST(ConnectionOptions, PasswordFile) {
  XeHarness xe;
  xe.files.clear();
  xe.files["/etc/poolha/xe-credentials"] = "root\n" + std::string(kPassword) + "\n";
  const XeRun run =
      xe.run({"pool-list", "-s", "10.0.0.1", "-pwf", "/etc/poolha/xe-credentials", "--minimal"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(xe.last_settings.username, "root");
  EXPECT_EQ(xe.last_settings.password, kPassword);
}

TEST(ConnectionOptions, PasswordFileProblems) {
  XeHarness xe;
  const XeRun missing = xe.run({"pool-list", "-pwf", "/nonexistent"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err, "Error: cannot open password file '/nonexistent'\n");
  xe.files["/etc/poolha/one-line"] = "root\n";
  EXPECT_EQ(xe.run({"pool-list", "-pwf", "/etc/poolha/one-line"}).err,
            "Error: password file format: expecting username on the first line, password on the "
            "second line\n");
  EXPECT_EQ(xe.connections, 0);
}

TEST(ConnectionOptions, BadPort) {
  XeHarness xe;
  const XeRun run = xe.run({"pool-list", "-p", "99999"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.err, "Error: Port number must be an integer (0-65535)\n");
  EXPECT_EQ(xe.connections, 0);
}

TEST(ConnectionOptions, UnparsableRcFileIsIgnoredWithAWarning) {
  XeHarness xe;
  xe.files[std::string(kHome) + "/.xe"] = "server=10.0.0.1\njust some words\n";
  const XeRun run = xe.run({"pool-list", "-pw", kPassword});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.err, "Error parsing rc file. No defaults loaded\n");
  EXPECT_EQ(xe.last_settings.server, "127.0.0.1");
}

TEST(ConnectionOptions, DebugPrintsCallsWithoutThePassword) {
  XeHarness xe;
  const XeRun run = xe.run({"pool-ha-disable", "--debug"});
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(
      run.err.find("call session.login_with_password [\"root\",\"(omitted)\",\"1.0\",\"xe\"]"),
      std::string::npos);
  EXPECT_NE(run.err.find("call pool.disable_ha [\"" + std::string(kSessionRef) + "\"]"),
            std::string::npos);
  EXPECT_EQ(run.err.find(kPassword), std::string::npos);
}

TEST(Usage, NoCommandPrintsUsage) {
  XeHarness xe;
  const XeRun run = xe.run({});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.err.rfind("Usage:\n  xe <command>", 0), 0u);
  EXPECT_EQ(xe.connections, 0);
}

TEST(Usage, HelpListsAndDescribesCommands) {
  XeHarness xe;
  const XeRun list = xe.run({"help"});
  EXPECT_EQ(list.status, 0);
  for (const char* name : {"sr-list", "pool-ha-enable", "pool-ha-disable",
                           "pool-ha-compute-max-host-failures-to-tolerate", "pool-param-set",
                           "vm-param-set", "host-emergency-ha-disable", "vm-start", "event-wait"}) {
    EXPECT_NE(list.out.find(std::string(name) + "\n"), std::string::npos) << name;
  }
  const XeRun one = xe.run({"help", "host-emergency-ha-disable"});
  EXPECT_EQ(one.status, 0);
  EXPECT_NE(one.out.find("host-emergency-ha-disable"), std::string::npos);
  EXPECT_NE(one.out.find("--force (required)"), std::string::npos);
  EXPECT_EQ(xe.run({"vm-start", "--help"}).out, xe.run({"help", "vm-start"}).out);
  EXPECT_EQ(xe.run({"help", "nope"}).err, "Unknown command: nope\nFor usage run: 'xe help'\n");
  EXPECT_EQ(xe.connections, 0);
}

}  // namespace
}  // namespace poolha::xe::testing

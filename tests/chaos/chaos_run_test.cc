// `poolha chaos` as a whole: bad options and the schedule need no pool; a
// short real run (root, nft and qemu-storage-daemon) must end with a clean
// oracle verdict and exit 0.
#include "chaos/chaos_run.h"

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/tool_runner.h"

namespace poolha::chaos {
namespace {

std::filesystem::path poolha_binary() {
#ifdef POOLHA_BINARY
  return POOLHA_BINARY;
#else
  return {};
#endif
}

TEST(ChaosRun, BadOptionsExitWith2BeforeAnythingStarts) {
  ChaosOptions options;
  options.hosts = 1;
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_chaos(options, out, err), 2);
  EXPECT_NE(err.str().find("--hosts must be 2..16"), std::string::npos) << err.str();
  EXPECT_EQ(out.str(), "");
}

TEST(ChaosRun, ScheduleOnlyPrintsEveryFaultWithoutAPool) {
  ChaosOptions options;
  options.faults = 5;
  options.seed = 9;
  options.schedule_only = true;
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(run_chaos(options, out, err), 0) << err.str();
  std::istringstream lines(out.str());
  std::string line;
  std::vector<std::string> faults;
  while (std::getline(lines, line)) {
    if (line.rfind("#", 0) == 0) faults.push_back(line);
  }
  ASSERT_EQ(faults.size(), 5u) << out.str();
  EXPECT_EQ(faults[4].rfind("#5 after a ", 0), 0u) << faults[4];
  std::ostringstream again;
  run_chaos(options, again, err);
  EXPECT_EQ(again.str(), out.str()) << "a seed prints the same schedule every time";
}

TEST(ChaosRun, TheCommandLineRefusesBadValuesWithExit2) {
  const std::filesystem::path poolha = poolha_binary();
  if (poolha.empty() || !std::filesystem::exists(poolha)) GTEST_SKIP() << "no poolha binary";
  const poolha::ToolResult result =
      poolha::run_tool({poolha.string(), "chaos", "--hosts", "3", "--timeout", "2"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--timeout must be 5..600"), std::string::npos) << result.output;
}

// About 1.5 to 2 minutes: pool set-up, three faults with T = 5 s, the
// clean stop of every host and the oracle.
TEST(ChaosRealRun, ThreeHostsThreeFaultsLeaveACleanVerdict) {
  const std::filesystem::path poolha = poolha_binary();
  if (poolha.empty() || !std::filesystem::exists(poolha)) GTEST_SKIP() << "no poolha binary";
  if (const std::string why = machine_unavailable_reason(); !why.empty()) {
    GTEST_SKIP() << "this machine cannot run a chaos pool: " << why;
  }
  // Without clock jumps: the wall clock is the whole machine's, and a test
  // suite must not move it under other tests.
  const poolha::ToolResult result =
      poolha::run_tool({poolha.string(), "chaos", "--hosts", "3", "--faults", "3", "--seed", "1",
                           "--timeout", "5", "--no-clock-jump"});
  std::cout << result.output << std::endl;
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("verdict: PASS"), std::string::npos);
  EXPECT_NE(result.output.find("chaos: 3 hosts, 3 faults, seed 1: 0 double-runs, 0 lost records"),
            std::string::npos);
  EXPECT_NE(result.output.find("#3/3 "), std::string::npos) << "every fault was injected";
}

}  // namespace
}  // namespace poolha::chaos

// Rendering the performance report (benchpool/report.h).
#include "benchpool/report.h"

#include <gtest/gtest.h>

namespace poolha::benchpool {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

FailoverRow slave_row(std::vector<double> failover, std::vector<double> boot) {
  FailoverRow row;
  row.crash = CrashKind::kSlave;
  row.timeout_seconds = 10;
  row.trials_asked = failover.size();
  row.failover_seconds = std::move(failover);
  row.api_seconds = row.failover_seconds;
  row.boot_seconds = std::move(boot);
  row.oracle = "clean (2 VMs, 6 boots, 900 acknowledged records)";
  return row;
}

Report sample_report() {
  Report report;
  report.command = "poolha bench-report --trials 3";
  report.started = "2024-06-11 10:00 UTC";
  report.wall_seconds = 600;
  report.machine = {"Example CPU @ 2.0GHz", 2, "Linux 6.1.0 x86_64"};
  report.failover.push_back(slave_row({11.0, 12.5, 11.8}, {0.4, 0.5}));
  report.usage.push_back({3, 0, 10, "daemon", 3, 60, 1.5, 2.25, 20.0, 21.5, ""});
  report.planner.push_back({16, 500, 68.2, 3, 20, 1.25, 0.5});
  report.sim.push_back({"random fault sweep", 7200, 2.0, 2, 20, 0});
  return report;
}

TEST(CheckFailoverTarget, ComparesP99WithOnePointTwoTPlusTheMedianBoot) {
  const TargetCheck holds = check_failover_target(slave_row({11.0, 12.5}, {0.4, 0.6, 0.5}));
  ASSERT_TRUE(holds.known);
  EXPECT_DOUBLE_EQ(holds.bound_seconds, 12.5);
  EXPECT_DOUBLE_EQ(holds.p99_seconds, 12.5);
  EXPECT_TRUE(holds.holds);
  const TargetCheck fails = check_failover_target(slave_row({11.0, 12.6}, {0.5}));
  EXPECT_FALSE(fails.holds);
}

TEST(CheckFailoverTarget, IsUnknownWithoutSamples) {
  EXPECT_FALSE(check_failover_target(slave_row({}, {0.5})).known);
  EXPECT_FALSE(check_failover_target(slave_row({10}, {})).known);
}

TEST(SecondsAndT, GivesBoth) {
  EXPECT_EQ(seconds_and_t(12.345, 10), "12.35 s (1.23 T)");
}

TEST(RenderMarkdown, HeaderNamesTheCommandTimeAndMachine) {
  const std::string text = render_markdown(sample_report());
  EXPECT_TRUE(contains(text, "# poolha performance results"));
  EXPECT_TRUE(contains(text, "`poolha bench-report --trials 3`"));
  EXPECT_TRUE(contains(text, "2024-06-11 10:00 UTC"));
  EXPECT_TRUE(contains(text, "10.0 min"));
  EXPECT_TRUE(contains(text, "Example CPU @ 2.0GHz, 2 logical CPUs; Linux 6.1.0 x86_64"));
  EXPECT_FALSE(contains(text, "--quick smoke run"));
}

TEST(RenderMarkdown, FailoverRowHasPercentilesInSecondsAndT) {
  const std::string text = render_markdown(sample_report());
  EXPECT_TRUE(contains(text,
                       "| slave | 10 s | 3/3 | 11.80 s (1.18 T) | 12.50 s (1.25 T) | "
                       "12.50 s (1.25 T) |"))
      << text;
  EXPECT_TRUE(contains(text, "with fewer than 100 trials p99 is the maximum"));
  EXPECT_TRUE(contains(text, "| 0.40 s | 0.50 s | **does not hold** (12.5 s > 12.4 s) |")) << text;
  EXPECT_TRUE(contains(text, "clean (2 VMs, 6 boots, 900 acknowledged records)"));
}

TEST(RenderMarkdown, MasterRowsHaveNoTarget) {
  Report report = sample_report();
  report.failover[0].crash = CrashKind::kMaster;
  const std::string text = render_markdown(report);
  EXPECT_TRUE(contains(text, "| master | 10 s | 3/3 |"));
  EXPECT_FALSE(contains(text, "hold"));
}

TEST(RenderMarkdown, SaysWhyARowStoppedEarly) {
  Report report = sample_report();
  report.failover[0].trials_asked = 5;
  report.failover[0].error = "timed out after 190 s waiting for the VMs";
  const std::string text = render_markdown(report);
  EXPECT_TRUE(contains(text, "| slave | 10 s | 3/5 |"));
  EXPECT_TRUE(contains(text, "slave crash at T = 10 s stopped after 3 of 5 trials: timed out"));
}

TEST(RenderMarkdown, UsagePlannerAndSimulatorTables) {
  const std::string text = render_markdown(sample_report());
  EXPECT_TRUE(contains(text,
                       "| 3 | 0 | 10 s | daemon | 3 | 60 s | 1.50 % | 2.25 % | 20.0 MiB | "
                       "21.5 MiB |"))
      << text;
  EXPECT_TRUE(contains(text, "| 16 | 500 | 68.2 % | 3 | 20 | 1.2 ms | 500 µs |")) << text;
  EXPECT_TRUE(contains(text, "| random fault sweep | 20 | 2 | 2.0 h | 2.00 s | 3600 | 1800 | 0 |"))
      << text;
  Report minutes = sample_report();
  minutes.sim[0].simulated_seconds = 600;
  EXPECT_TRUE(contains(render_markdown(minutes), "| random fault sweep | 20 | 2 | 10.0 min |"));
}

TEST(RenderMarkdown, SkippedSectionsSayWhy) {
  Report report = sample_report();
  report.failover.clear();
  report.failover_skipped = "this machine cannot run a namespace pool: needs root";
  report.usage.clear();
  report.usage_skipped = "not asked for (--only)";
  report.quick = true;
  const std::string text = render_markdown(report);
  EXPECT_TRUE(contains(text, "Not measured: this machine cannot run a namespace pool: needs root"));
  EXPECT_TRUE(contains(text, "Not measured: not asked for (--only)"));
  EXPECT_TRUE(contains(text, "--quick smoke run"));
}

TEST(RenderMarkdown, AUsageRowThatFailedShowsNoFigures) {
  Report report = sample_report();
  UsageRow failed;
  failed.hosts = 16;
  failed.vms_running = 16;
  failed.error = "xe vm-start failed";
  report.usage.push_back(failed);
  const std::string text = render_markdown(report);
  EXPECT_TRUE(contains(text, "| 16 | 16 | 10 s | - | - | - |"));
  EXPECT_TRUE(contains(text, "16 hosts, 16 VMs: not measured: xe vm-start failed"));
}

}  // namespace
}  // namespace poolha::benchpool

// The options of `poolha bench-report` (benchpool/bench_report.h).
#include "benchpool/bench_report.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace poolha::benchpool {
namespace {

TEST(ResolveOptions, DefaultsAreTheFullReport) {
  const ResolvedOptions options = resolve_options({});
  EXPECT_EQ(options.trials, 20u);
  EXPECT_EQ(options.timeouts, (std::vector<int>{10, 30}));
  EXPECT_EQ(options.usage_seconds, 60);
  EXPECT_EQ(options.output, "bench/RESULTS.md");
  EXPECT_TRUE(options.runs("failover") && options.runs("usage") && options.runs("planner") &&
              options.runs("sim"));
}

TEST(ResolveOptions, QuickShortensWhatWasNotGiven) {
  BenchReportOptions given;
  given.quick = true;
  ResolvedOptions options = resolve_options(given);
  EXPECT_EQ(options.trials, 2u);
  EXPECT_EQ(options.timeouts, std::vector<int>{10});
  EXPECT_EQ(options.usage_seconds, 10);
  given.trials = 5;
  given.timeouts = std::vector<int>{5};
  options = resolve_options(given);
  EXPECT_EQ(options.trials, 5u);
  EXPECT_EQ(options.timeouts, std::vector<int>{5});
}

TEST(CheckOptions, AcceptsTheDefaultsFromAnExistingDirectory) {
  ResolvedOptions options = resolve_options({});
  options.output = (std::filesystem::temp_directory_path() / "RESULTS.md").string();
  EXPECT_EQ(check_options(options), "");
}

TEST(CheckOptions, RefusesValuesOutOfRange) {
  ResolvedOptions base = resolve_options({});
  base.output = "RESULTS.md";
  auto problem = [&](auto change) {
    ResolvedOptions options = base;
    change(options);
    return check_options(options);
  };
  EXPECT_EQ(problem([](ResolvedOptions& o) { o.trials = 0; }), "--trials must be 1..1000");
  EXPECT_EQ(problem([](ResolvedOptions& o) { o.timeouts = {4}; }),
            "--timeouts: T = 4 s is outside 5..300");
  EXPECT_EQ(problem([](ResolvedOptions& o) { o.timeouts = {}; }),
            "--timeouts needs at least one T");
  EXPECT_EQ(problem([](ResolvedOptions& o) { o.vms = 9; }), "--vms must be 1..8");
  EXPECT_EQ(problem([](ResolvedOptions& o) { o.usage_seconds = 0; }),
            "--usage-seconds must be 1..3600");
  EXPECT_EQ(problem([](ResolvedOptions& o) { o.sections = {"speed"}; }),
            "--only: unknown section 'speed' (failover, usage, planner, sim)");
  EXPECT_EQ(problem([](ResolvedOptions& o) { o.output = ""; }), "--output must name a file");
  EXPECT_NE(problem([](ResolvedOptions& o) {
              o.output = "no-such-directory/RESULTS.md";
            }).find("does not exist"),
            std::string::npos);
}

TEST(DescribeCommand, NamesWhatShapesTheFiguresAndNoPath) {
  BenchReportOptions given;
  given.quick = true;
  given.output = "/somewhere/RESULTS.md";
  given.sections = {"planner", "sim"};
  const std::string text = describe_command(resolve_options(given));
  EXPECT_EQ(text,
            "poolha bench-report --quick --trials 2 --timeouts 10 --vms 2 --usage-seconds 10 "
            "--only planner,sim");
}

TEST(RunBenchReport, BadOptionsExitTwoAndWriteNothing) {
  BenchReportOptions given;
  given.trials = 0;
  given.output = (std::filesystem::temp_directory_path() / "benchpool-never-written.md").string();
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_bench_report(given, out, err), 2);
  EXPECT_EQ(err.str(), "poolha bench-report: --trials must be 1..1000\n");
  EXPECT_FALSE(std::filesystem::exists(given.output));
}

TEST(RunBenchReport, WritesTheSectionsAskedFor) {
  // The planner alone, quickly: the rendering of a real measurement, and
  // the file written whole.
  std::string pattern = (std::filesystem::temp_directory_path() / "benchpool-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  BenchReportOptions given;
  given.quick = true;
  given.sections = {"planner"};
  given.output = pattern + "/RESULTS.md";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_bench_report(given, out, err), 0) << err.str();
  ASSERT_TRUE(std::filesystem::exists(given.output));
  std::ostringstream text;
  text << std::ifstream(given.output).rdbuf();
  EXPECT_NE(text.str().find("| 256 | 20000 |"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("Not measured: not asked for (--only)"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(given.output + ".tmp"));
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace poolha::benchpool

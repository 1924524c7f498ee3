// `poolha bench-report`: runs every benchmark of the performance report —
// failover latency and daemon usage on real daemons in a namespace pool,
// planner timings, simulator speed — and prints the report and writes it
// (bench/RESULTS.md by default). The file is only ever written whole, by
// this command, from its own measurements.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace poolha::benchpool {

inline constexpr const char* kSections[] = {"failover", "usage", "planner", "sim"};

struct BenchReportOptions {
  // Unset: 20 trials and T = 10 and 30 s, or with `quick` 2 trials at 10 s.
  std::optional<std::size_t> trials;
  std::optional<std::vector<int>> timeouts;
  std::size_t vms = 2;  // protected VMs on each failover victim
  // Unset: 60 s, or 10 s with `quick`.
  std::optional<double> usage_seconds;
  bool quick = false;
  std::string output = "bench/RESULTS.md";
  std::vector<std::string> sections{std::begin(kSections), std::end(kSections)};
  // Non-empty: every pool's configurations and logs are kept in a directory
  // of their own under it (failover-slave-T10, usage-3-hosts, ...).
  std::string keep_logs;
};

// The options with every unset value filled in.
struct ResolvedOptions {
  std::size_t trials = 20;
  std::vector<int> timeouts{10, 30};
  std::size_t vms = 2;
  double usage_seconds = 60;
  double usage_settle_seconds = 10;
  bool quick = false;
  std::string output;
  std::vector<std::string> sections;
  std::string keep_logs;

  bool runs(const std::string& section) const;
};

ResolvedOptions resolve_options(const BenchReportOptions& options);

// Empty when the options can be run; otherwise what is wrong, in one line.
// Checked before anything runs, so that a long run never fails at its end
// for a bad output path.
std::string check_options(const ResolvedOptions& options);

// The command line the report says wrote it: every option that shapes the
// figures, none that names a path.
std::string describe_command(const ResolvedOptions& options);

// Exit status: 0 when every measurement asked for was made (sections that
// need root are skipped, with the reason, when not root); 1 when one
// failed (the report is still written and says which); 2 for bad options;
// 130 on Ctrl-C (nothing is written).
int run_bench_report(const BenchReportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace poolha::benchpool

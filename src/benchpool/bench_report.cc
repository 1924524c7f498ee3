// Running the whole performance report (bench_report.h).
#include "benchpool/bench_report.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "benchpool/failover_bench.h"
#include "benchpool/machine_info.h"
#include "benchpool/planner_timing.h"
#include "benchpool/pool_driver.h"
#include "benchpool/report.h"
#include "benchpool/sim_speed.h"
#include "benchpool/usage_bench.h"
#include "localpool/interrupt.h"

namespace poolha::benchpool {
namespace {

namespace fs = std::filesystem;

// Written next to the target and renamed over it, so a reader (or a
// crash) never sees half a report.
void write_whole_file(const fs::path& file, const std::string& text) {
  const fs::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, file);
}

std::string joined_timeouts(const std::vector<int>& timeouts) {
  std::string text;
  for (const int t : timeouts) text += (text.empty() ? "" : ",") + std::to_string(t);
  return text;
}

}  // namespace

bool ResolvedOptions::runs(const std::string& section) const {
  return std::find(sections.begin(), sections.end(), section) != sections.end();
}

ResolvedOptions resolve_options(const BenchReportOptions& options) {
  ResolvedOptions resolved;
  resolved.quick = options.quick;
  resolved.trials = options.trials.value_or(options.quick ? 2 : 20);
  resolved.timeouts =
      options.timeouts.value_or(options.quick ? std::vector<int>{10} : std::vector<int>{10, 30});
  resolved.vms = options.vms;
  resolved.usage_seconds = options.usage_seconds.value_or(options.quick ? 10 : 60);
  resolved.usage_settle_seconds = options.quick ? 3 : 10;
  resolved.output = options.output;
  resolved.sections = options.sections;
  resolved.keep_logs = options.keep_logs;
  return resolved;
}

std::string check_options(const ResolvedOptions& options) {
  if (options.trials < 1 || options.trials > 1000) return "--trials must be 1..1000";
  if (options.timeouts.empty()) return "--timeouts needs at least one T";
  for (const int t : options.timeouts) {
    // 5 s is the daemon's least T with the default fence latency.
    if (t < 5 || t > 300) return fmt::format("--timeouts: T = {} s is outside 5..300", t);
  }
  if (options.vms < 1 || options.vms > 8) return "--vms must be 1..8";
  if (!(options.usage_seconds >= 1 && options.usage_seconds <= 3600)) {
    return "--usage-seconds must be 1..3600";
  }
  if (options.sections.empty()) return "--only needs at least one section";
  for (const std::string& section : options.sections) {
    if (std::find(std::begin(kSections), std::end(kSections), section) == std::end(kSections)) {
      return "--only: unknown section '" + section + "' (failover, usage, planner, sim)";
    }
  }
  if (options.output.empty()) return "--output must name a file";
  const fs::path output(options.output);
  std::error_code error;
  const fs::path parent = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  if (!fs::is_directory(parent, error)) {
    return "--output " + options.output + ": the directory " + parent.string() +
           " does not exist (run from the repository root, or give --output)";
  }
  if (fs::is_directory(output, error)) return "--output " + options.output + " is a directory";
  return "";
}

std::string describe_command(const ResolvedOptions& options) {
  std::string text = "poolha bench-report";
  if (options.quick) text += " --quick";
  text += fmt::format(" --trials {} --timeouts {} --vms {} --usage-seconds {:g}", options.trials,
                      joined_timeouts(options.timeouts), options.vms, options.usage_seconds);
  if (options.sections.size() != std::size(kSections)) {
    std::string only;
    for (const std::string& section : options.sections) only += (only.empty() ? "" : ",") + section;
    text += " --only " + only;
  }
  return text;
}

int run_bench_report(const BenchReportOptions& given, std::ostream& out, std::ostream& err) {
  const ResolvedOptions options = resolve_options(given);
  if (const std::string problem = check_options(options); !problem.empty()) {
    err << "poolha bench-report: " << problem << "\n";
    return 2;
  }
  localpool::InterruptHandler interrupt_handler;
  const auto start = std::chrono::steady_clock::now();
  Report report;
  report.command = describe_command(options);
  report.started = utc_now_text();
  report.machine = read_machine_info();
  report.quick = options.quick;
  int status = 0;
  auto failed = [&](std::string& skipped, const std::exception& error) {
    skipped = std::string("failed: ") + error.what();
    err << "poolha bench-report: " << skipped << "\n";
    status = 1;
  };
  const std::string not_here = namespace_pool_unavailable();
  try {
    if (!options.runs("planner")) {
      report.planner_skipped = "not asked for (--only)";
    } else {
      out << "== planner timings (bench-planner's pools)" << std::endl;
      try {
        report.planner = time_planner(options.quick);
      } catch (const std::exception& error) {
        failed(report.planner_skipped, error);
      }
    }
    localpool::throw_if_interrupted();
    if (!options.runs("sim")) {
      report.sim_skipped = "not asked for (--only)";
    } else {
      out << "== simulator speed" << std::endl;
      try {
        report.sim = measure_sim_speed(options.quick);
      } catch (const std::exception& error) {
        failed(report.sim_skipped, error);
      }
    }
    localpool::throw_if_interrupted();
    if (!options.runs("usage")) {
      report.usage_skipped = "not asked for (--only)";
    } else if (!not_here.empty()) {
      report.usage_skipped = "this machine cannot run a namespace pool: " + not_here;
      out << "== daemon usage skipped: " << not_here << std::endl;
    } else {
      const std::vector<std::pair<std::size_t, std::vector<std::size_t>>> pools = {{3, {0}},
                                                                                   {16, {0, 16}}};
      for (const auto& [hosts, vm_counts] : pools) {
        out << "== daemon usage, " << hosts << " hosts" << std::endl;
        UsageBenchOptions usage;
        usage.hosts = hosts;
        usage.vms_running = vm_counts;
        usage.timeout_seconds = 10;
        usage.window_seconds = options.usage_seconds;
        usage.settle_seconds = options.usage_settle_seconds;
        usage.progress = &out;
        if (!options.keep_logs.empty()) {
          usage.kept_work_dir =
              std::filesystem::path(options.keep_logs) / fmt::format("usage-{}-hosts", hosts);
        }
        for (UsageRow& row : run_usage_pool(usage)) {
          if (!row.error.empty()) status = 1;
          report.usage.push_back(std::move(row));
        }
      }
    }
    if (!options.runs("failover")) {
      report.failover_skipped = "not asked for (--only)";
    } else if (!not_here.empty()) {
      report.failover_skipped = "this machine cannot run a namespace pool: " + not_here;
      out << "== failover latency skipped: " << not_here << std::endl;
    } else {
      for (const int t : options.timeouts) {
        for (const CrashKind crash : {CrashKind::kSlave, CrashKind::kMaster}) {
          out << "== failover latency: " << crash_name(crash) << " crash, T = " << t << " s, "
              << options.trials << " trials" << std::endl;
          FailoverBenchOptions failover;
          failover.crash = crash;
          failover.timeout_seconds = t;
          failover.trials = options.trials;
          failover.vms = options.vms;
          failover.progress = &out;
          if (!options.keep_logs.empty()) {
            failover.kept_work_dir = std::filesystem::path(options.keep_logs) /
                                     fmt::format("failover-{}-T{}", crash_name(crash), t);
          }
          report.failover.push_back(run_failover_row(failover));
          const FailoverRow& row = report.failover.back();
          if (!row.error.empty() || row.oracle.rfind("clean", 0) != 0) status = 1;
        }
      }
    }
  } catch (const localpool::Interrupted&) {
    err << "poolha bench-report: interrupted; every pool was torn down, nothing was written\n";
    return 130;
  }
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string markdown = render_markdown(report);
  out << "\n" << markdown << std::flush;
  try {
    write_whole_file(options.output, markdown);
    out << "== written to " << options.output << std::endl;
  } catch (const std::exception& error) {
    err << "poolha bench-report: " << error.what() << "\n";
    return 1;
  }
  return status;
}

}  // namespace poolha::benchpool

#include "cli/bench_report_command.h"

#include <iostream>
#include <memory>

#include "benchpool/bench_report.h"

namespace poolha::cli {

void add_bench_report_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<benchpool::BenchReportOptions>();
  auto trials = std::make_shared<std::size_t>(0);
  auto timeouts = std::make_shared<std::vector<int>>();
  auto usage_seconds = std::make_shared<double>(0);
  CLI::App* command = app.add_subcommand(
      "bench-report",
      "measure failover latency and daemon CPU/RSS on real daemons in a namespace pool (needs "
      "root), planner timings and simulator speed; print the report and write it to a file");
  // Unset options take their defaults from resolve_options, which knows
  // what --quick changes; ranges are checked by check_options (exit 2).
  CLI::Option* trials_option =
      command->add_option("--trials", *trials, "failover trials per crash kind and T (default 20)");
  CLI::Option* timeouts_option =
      command->add_option("--timeouts", *timeouts, "HA timeouts T in seconds (default 10,30)")
          ->delimiter(',');
  command->add_option("--vms", options->vms, "protected VMs on each failover victim")
      ->capture_default_str();
  CLI::Option* usage_option = command->add_option(
      "--usage-seconds", *usage_seconds, "sampling window for daemon CPU and RSS (default 60)");
  command
      ->add_option("--only", options->sections,
                   "sections to measure: failover, usage, planner, sim (default all)")
      ->delimiter(',');
  command->add_option("--output", options->output, "the report file")->capture_default_str();
  command->add_option("--keep-logs", options->keep_logs,
                      "keep every pool's configurations and daemon logs under this directory");
  command->add_flag("--quick", options->quick,
                    "a short smoke run: 2 trials at T = 10 s, 10 s sampling windows, fewer seeds");
  command->callback([=, &exit_code] {
    if (trials_option->count() > 0) options->trials = *trials;
    if (timeouts_option->count() > 0) options->timeouts = *timeouts;
    if (usage_option->count() > 0) options->usage_seconds = *usage_seconds;
    exit_code = benchpool::run_bench_report(*options, std::cout, std::cerr);
  });
}

}  // namespace poolha::cli

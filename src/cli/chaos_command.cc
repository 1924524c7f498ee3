#include "cli/chaos_command.h"

#include <iostream>
#include <memory>

#include "chaos/chaos_run.h"

namespace poolha::cli {

void add_chaos_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<chaos::ChaosOptions>();
  auto no_clock_jump = std::make_shared<bool>(false);
  CLI::App* chaos = app.add_subcommand(
      "chaos",
      "run a pool of real daemons in network namespaces, inject random faults drawn from a seed, "
      "and judge the VM disks: no VM ran twice, no acknowledged write was lost (needs root)");
  // Ranges are checked by validate_chaos_options, so every way of running
  // the command refuses the same values with the same words (exit 2).
  chaos->add_option("--hosts", options->hosts, "hosts in the pool (2..16)")->capture_default_str();
  chaos->add_option("--faults", options->faults, "faults to inject, one at a time")
      ->capture_default_str();
  chaos->add_option("--seed", options->seed, "the seed the fault schedule is drawn from")
      ->capture_default_str();
  chaos->add_option("--timeout", options->ha_timeout_seconds, "the HA timeout T in seconds")
      ->capture_default_str();
  chaos
      ->add_option("--vms-per-host", options->vms_per_host,
                   "protected disk-writer VMs started on each host")
      ->capture_default_str();
  chaos
      ->add_option("--settle-timeout", options->settle_timeout_seconds,
                   "seconds to wait for the pool to settle after a fault (0: 12 T + 60)")
      ->capture_default_str();
  chaos->add_flag("--no-clock-jump", *no_clock_jump,
                  "never jump the wall clock (it is machine-wide: other programs see it too)");
  chaos->add_flag("--keep", options->keep, "keep the work directory with configurations and logs");
  chaos->add_flag("--schedule-only", options->schedule_only,
                  "print the seed's fault schedule and stop, without running a pool");
  chaos->callback([options, no_clock_jump, &exit_code] {
    options->clock_jumps = !*no_clock_jump;
    exit_code = chaos::run_chaos(*options, std::cout, std::cerr);
  });
}

}  // namespace poolha::cli

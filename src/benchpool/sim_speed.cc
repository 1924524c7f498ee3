// Measuring simulated time per wall second (sim_speed.h).
#include "benchpool/sim_speed.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "sim/sweep.h"

namespace poolha::benchpool {
namespace {

// bench-sim's steady pool: HA enabled one second in, nothing else.
sim::Scenario steady_pool_scenario(std::uint16_t hosts, Duration timeout, Duration length) {
  sim::Scenario scenario;
  scenario.name = fmt::format("steady pool of {} hosts", hosts);
  scenario.hosts = hosts;
  scenario.timeout = timeout;
  scenario.host_decls.resize(hosts);
  scenario.duration = length;
  scenario.reboot_after_fence = std::nullopt;
  sim::Action enable;
  enable.kind = sim::ActionKind::kEnable;
  enable.hosts.push_back(sim::HostRef{0});
  scenario.actions.push_back(sim::TimedAction{sim::kSimStart + std::chrono::seconds(1), 0, enable});
  return scenario;
}

}  // namespace

std::vector<SimRow> measure_sim_speed(bool quick) {
  std::vector<SimRow> rows;

  sim::SweepOptions sweep;
  sweep.first_seed = 1;
  sweep.last_seed = quick ? 20 : 200;
  sweep.hosts = 5;
  sweep.vms = 40;
  sweep.timeout = std::chrono::seconds(30);
  sweep.jobs = std::max(1u, std::thread::hardware_concurrency());
  const sim::SweepResult result = sim::run_sweep(sweep);
  SimRow random;
  random.what = fmt::format("random fault sweep: 5 hosts, 40 VMs, T = 30 s, seeds {}..{}",
                            sweep.first_seed, sweep.last_seed);
  random.simulated_seconds = to_seconds(result.simulated());
  random.wall_seconds = result.wall_seconds;
  random.threads = sweep.jobs;
  random.runs = result.seeds.size();
  random.failed = result.failed();
  rows.push_back(random);

  const double seconds = quick ? 120 : 600;
  const sim::RunReport report = sim::run_scenario(steady_pool_scenario(
      16, std::chrono::seconds(30),
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds))));
  SimRow steady;
  steady.what = fmt::format("steady pool (bench-sim): 16 hosts, T = 30 s, {:.0f} s", seconds);
  steady.simulated_seconds = to_seconds(report.simulated);
  steady.wall_seconds = report.wall_seconds;
  steady.threads = 1;
  steady.runs = 1;
  steady.failed = report.passed() ? 0 : 1;
  rows.push_back(steady);
  return rows;
}

}  // namespace poolha::benchpool

#include "cli/bench_command.h"

#include <fmt/format.h>

#include <memory>

#include "cli/duration_option.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace poolha::cli {

namespace {

struct BenchOptions {
  std::vector<unsigned> hosts{16};
  double seconds = 600;
  std::string timeout = "30s";
  bool crash = false;
};

sim::Scenario steady_pool(unsigned hosts, Duration timeout, Duration length, bool crash) {
  sim::Scenario s;
  s.name = fmt::format("bench {} hosts", hosts);
  s.hosts = static_cast<std::uint16_t>(hosts);
  s.timeout = timeout;
  s.host_decls.resize(hosts);
  s.duration = length;
  s.reboot_after_fence = std::nullopt;
  sim::Action enable;
  enable.kind = sim::ActionKind::kEnable;
  enable.hosts.push_back(sim::HostRef{0});
  s.actions.push_back(sim::TimedAction{sim::kSimStart + 1s, 0, enable});
  if (crash && hosts > 1) {
    sim::Action off;
    off.kind = sim::ActionKind::kPowerOff;
    off.hosts.push_back(sim::HostRef{static_cast<HostIndex>(hosts - 1)});
    s.actions.push_back(sim::TimedAction{sim::kSimStart + length / 2, 0, off});
  }
  return s;
}

int run_bench(const BenchOptions& o) {
  auto timeout = parse_duration_option(o.timeout);
  if (!timeout || o.seconds <= 0) {
    fmt::print(stderr, "poolha bench-sim: bad --timeout or --seconds\n");
    return 2;
  }
  const Duration length(static_cast<Duration::rep>(o.seconds * 1e6));
  int status = 0;
  for (unsigned hosts : o.hosts) {
    const sim::RunReport r = sim::run_scenario(steady_pool(hosts, *timeout, length, o.crash));
    const double simulated = to_seconds(r.simulated);
    fmt::print(
        "bench-sim: {:>3} hosts, T={}, {}: {:.0f} s simulated in {:.2f} s wall = {:.2f} simulated "
        "s per wall s ({} events, {} engine calls, {} fences, {} violations)\n",
        hosts, o.timeout, o.crash ? "one host crashes halfway" : "steady pool", simulated,
        r.wall_seconds, r.wall_seconds > 0 ? simulated / r.wall_seconds : 0, r.counters.events,
        r.counters.engine_calls, r.fences, r.violations.size());
    if (r.error) {
      fmt::print(stderr, "poolha bench-sim: {}\n", *r.error);
      status = 1;
    }
  }
  return status;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench-sim",
                                     "Measure simulator speed (simulated seconds per wall second)");
  cmd->add_option("--hosts", o->hosts, "Pool sizes to measure (repeat or comma-separate)")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  cmd->add_option("--seconds", o->seconds, "Simulated seconds per measurement");
  cmd->add_option("--timeout", o->timeout, "HA timeout T (e.g. 30s)");
  cmd->add_flag("--crash", o->crash, "Power off the last host halfway through");
  cmd->callback([o, &exit_code] { exit_code = run_bench(*o); });
}

}  // namespace poolha::cli

#include "cli/bench_failover.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "sim/prng.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "sim/simulator.h"

namespace poolha::cli {

namespace {

struct FailoverBenchOptions {
  std::vector<unsigned> timeouts{30, 60};  // seconds
  unsigned runs = 200;
  unsigned hosts = 3;
  unsigned vms = 4;
  double vm_boot_seconds = 10;
};

struct CrashRun {
  sim::Scenario scenario;
  sim::VirtualTime crash_at{};
  HostIndex victim = 0;
};

// One run: `vms` protected VMs on the host that loses power (the master h0,
// or the last host, a slave) at a random point of the pool's steady state,
// with random clocks, drifts, and network and storage latencies.
CrashRun crash_run(const FailoverBenchOptions& o, Duration t, bool master, std::uint64_t run) {
  sim::Prng prng(run * 0x9E3779B97F4A7C15ull + t.count() + (master ? 1 : 0));
  CrashRun c;
  sim::Scenario& s = c.scenario;
  s.name = fmt::format("failover bench T={}s {} crash run {}", t.count() / 1'000'000,
                       master ? "master" : "slave", run);
  s.hosts = static_cast<std::uint16_t>(o.hosts);
  s.timeout = t;
  s.seed = prng.next();
  s.reboot_after_fence = std::nullopt;
  s.host_decls.resize(o.hosts);
  for (sim::HostDecl& d : s.host_decls) {
    d.clock = Duration(prng.between(0, 1'000'000'000'000));
    d.drift_ppm = static_cast<std::int32_t>(prng.between(-200, 200));
  }
  s.network.delay = Duration(prng.between(100, 2'000));
  s.network.jitter = Duration(prng.between(0, s.network.delay.count() / 2));
  s.storage.latency = Duration(prng.between(500, 20'000));
  s.storage.jitter = Duration(prng.between(0, s.storage.latency.count() / 2));
  s.pool.declared = true;
  s.pool.vm_boot = Duration(static_cast<Duration::rep>(o.vm_boot_seconds * 1e6));
  c.victim = master ? HostIndex{0} : static_cast<HostIndex>(o.hosts - 1);
  for (unsigned i = 0; i < o.vms; ++i) {
    sim::VmSpec vm;
    vm.name = fmt::format("vm{}", i);
    vm.host = c.victim;
    s.vms.push_back(vm);
  }
  sim::Action enable;
  enable.kind = sim::ActionKind::kEnable;
  enable.hosts.push_back(sim::HostRef{0});
  s.actions.push_back(sim::TimedAction{sim::kSimStart + 1s, 0, enable});
  c.crash_at = sim::kSimStart + 3 * t + Duration(prng.between(0, t.count()));
  sim::Action off;
  off.kind = sim::ActionKind::kPowerOff;
  off.hosts.push_back(sim::HostRef{c.victim});
  s.actions.push_back(sim::TimedAction{c.crash_at, 0, off});
  s.duration = (c.crash_at - sim::kSimStart) + 4 * t;
  return c;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

int run_failover_bench(const FailoverBenchOptions& o) {
  if (o.hosts < 2 || o.runs == 0 || o.vms == 0) {
    fmt::print(stderr, "poolha bench-failover: needs --hosts >= 2, --runs >= 1, --vms >= 1\n");
    return 2;
  }
  fmt::print(
      "bench-failover: {} hosts, {} protected VMs on the crashed host, VM boot {:.1f} s, {} "
      "seeded runs per row\n"
      "  restart: power loss -> the last of its VMs started on a survivor; running: and booted\n"
      "  {:>4}  {:>6}  {:>22}  {:>22}  {:>22}\n",
      o.hosts, o.vms, o.vm_boot_seconds, o.runs, "T", "crash", "restart p50/p99/max (T)",
      "restart p50/p99/max (s)", "running p50/p99/max (s)");
  int status = 0;
  for (unsigned seconds : o.timeouts) {
    const Duration t = std::chrono::seconds(seconds);
    for (const bool master : {false, true}) {
      std::vector<double> restart, running;
      std::size_t problems = 0;
      for (unsigned run = 1; run <= o.runs; ++run) {
        const CrashRun c = crash_run(o, t, master, run);
        std::optional<double> last_start;
        sim::RunOptions options;
        options.inspect = [&](const sim::Simulator& sim) {
          const sim::SimPool* pool = sim.pool();
          if (!pool) return;
          const std::int64_t crash_us = sim::us_of(c.crash_at);
          std::size_t restarted = 0;
          double latest = 0;
          for (const vm::RunInterval& i : pool->ledger().history()) {
            if (i.started_us <= crash_us || i.host == c.victim) continue;
            ++restarted;
            latest = std::max(latest, static_cast<double>(i.started_us - crash_us) / 1e6);
          }
          if (restarted == o.vms) last_start = latest;
        };
        const sim::RunReport r = sim::run_scenario(c.scenario, options);
        if (!r.passed() || !last_start) {
          ++problems;
          continue;
        }
        restart.push_back(*last_start);
        running.push_back(*last_start + o.vm_boot_seconds);
      }
      if (restart.empty()) {
        fmt::print("  {:>3}s  {:>6}  no run restarted every VM\n", seconds,
                   master ? "master" : "slave");
        status = 1;
        continue;
      }
      const double ts = static_cast<double>(seconds);
      fmt::print(
          "  {:>3}s  {:>6}  {:>6.3f} {:>6.3f} {:>6.3f}    {:>6.1f} {:>6.1f} {:>6.1f}    {:>6.1f} "
          "{:>6.1f} {:>6.1f}{}\n",
          seconds, master ? "master" : "slave", percentile(restart, 50) / ts,
          percentile(restart, 99) / ts, percentile(restart, 100) / ts, percentile(restart, 50),
          percentile(restart, 99), percentile(restart, 100), percentile(running, 50),
          percentile(running, 99), percentile(running, 100),
          problems ? fmt::format("   ({} runs failed or did not restart every VM)", problems)
                   : std::string());
      if (problems) status = 1;
    }
  }
  return status;
}

}  // namespace

void add_bench_failover_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FailoverBenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench-failover",
      "Simulated failover latency of a slave and a master crash, as a multiple of T");
  cmd->add_option("--timeouts", o->timeouts, "HA timeouts T in seconds (comma-separated)")
      ->delimiter(',')
      ->check(CLI::Range(5, 3600));
  cmd->add_option("--runs", o->runs, "Seeded runs per T and crash kind")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--hosts", o->hosts, "Pool size")->check(CLI::Range(2, 256));
  cmd->add_option("--vms", o->vms, "Protected VMs on the crashed host")->check(CLI::Range(1, 1000));
  cmd->add_option("--vm-boot", o->vm_boot_seconds, "VM boot time in seconds")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->callback([o, &exit_code] { exit_code = run_failover_bench(*o); });
}

}  // namespace poolha::cli

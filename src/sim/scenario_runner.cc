#include "sim/scenario_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <variant>

#include "sim/duration_text.h"
#include "sim/expectations.h"

namespace poolha::sim {

namespace {

class Runner {
 public:
  Runner(const Scenario& s, Simulator& sim, RunReport& report)
      : s_(s), sim_(sim), report_(report) {}

  void schedule() {
    for (const TimedAction& t : s_.actions) sim_.at(t.at, [this, &t] { perform(t); });
  }

  void check_whole_run() {
    for (const WholeRunExpectation& w : s_.whole_run) record(w.line, w.expect);
  }

 private:
  void record(int line, const Expectation& e) {
    ++report_.expectations;
    const std::string what = describe(e);
    if (auto problem = check_expectation(e, sim_)) {
      const std::string text = fmt::format("line {}: {} at {}: {}", line, what,
                                           format_duration(sim_.now() - kSimStart), *problem);
      report_.failed_expectations.push_back(text);
      sim_.note("EXPECTATION FAILED " + text);
    } else {
      sim_.note(what + ": ok");
    }
  }

  // `master` resolves to whichever host is master now.
  std::optional<HostIndex> resolve(const HostRef& ref) {
    if (!ref.is_master()) return ref.host;
    auto m = sim_.current_master();
    if (!m) sim_.note("no host is master: command skipped");
    return m;
  }

  template <typename F>
  void each_host(const Action& a, F&& f) {
    for (const HostRef& ref : a.hosts)
      if (auto h = resolve(ref)) f(*h);
  }

  void engine_command(const Action& a, ha::Command::Kind kind, std::string_view name) {
    each_host(a, [&](HostIndex h) {
      sim_.note(fmt::format("h{} operator: {}", h, name));
      sim_.command(h, ha::Command{kind, kNoHost});
    });
  }

  void flap(const Action& a) {
    const VirtualTime until = *a.until;
    const bool pair = a.hosts.size() == 2;
    const HostIndex x = a.hosts[0].host;
    const HostIndex y = pair ? a.hosts[1].host : 0;
    auto set = [this, pair, x, y](bool up) {
      if (pair) {
        sim_.set_link_pair(x, y, up);
      } else {
        sim_.set_nic(x, up);
      }
    };
    sim_.note(pair ? fmt::format("link h{} <-> h{} starts flapping", x, y)
                   : fmt::format("h{} NIC starts flapping", x));
    for (VirtualTime t = sim_.now(); t < until; t += a.period) {
      sim_.at(t, [set] { set(false); });
      sim_.at(std::min(t + a.down_for, until), [set] { set(true); });
    }
  }

  void perform(const TimedAction& t) {
    const Action& a = t.action;
    switch (a.kind) {
      case ActionKind::kEnable:
        return engine_command(a, ha::Command::Kind::kEnable, "enable HA");
      case ActionKind::kDisable:
        return engine_command(a, ha::Command::Kind::kDisable, "disable HA");
      case ActionKind::kLeave:
        // A host leaves only once its VMs are gone (xe host-evacuate or shutdown).
        if (sim_.pool()) each_host(a, [&](HostIndex h) { sim_.pool()->evacuate(h); });
        return engine_command(a, ha::Command::Kind::kLeave, "leave the liveset");
      case ActionKind::kDisarm:
        return engine_command(a, ha::Command::Kind::kDisarmFencing, "disarm fencing");
      case ActionKind::kEmergencyDisable:
        return engine_command(a, ha::Command::Kind::kEmergencyDisable, "emergency HA disable");
      case ActionKind::kHandover: {
        auto from = resolve(a.hosts[0]);
        if (!from) return;
        sim_.note(fmt::format("h{} operator: hand the master role to h{}", *from, a.hosts[1].host));
        sim_.command(*from, ha::Command{ha::Command::Kind::kHandOverMaster, a.hosts[1].host});
        return;
      }
      case ActionKind::kPowerOff:
        return each_host(a, [&](HostIndex h) { sim_.power_off(h); });
      case ActionKind::kPowerOn:
        return each_host(a, [&](HostIndex h) { sim_.power_on(h); });
      case ActionKind::kReboot:
        return each_host(a, [&](HostIndex h) {
          sim_.power_off(h);
          sim_.at(sim_.now() + a.duration, [this, h] { sim_.power_on(h); });
        });
      case ActionKind::kHang:
        return each_host(a, [&](HostIndex h) { sim_.hang(h, a.duration); });
      case ActionKind::kNicDown:
        return each_host(a, [&](HostIndex h) { sim_.set_nic(h, false); });
      case ActionKind::kNicUp:
        return each_host(a, [&](HostIndex h) { sim_.set_nic(h, true); });
      case ActionKind::kLinkCut:
      case ActionKind::kLinkRestore: {
        sim_.set_link_pair(a.hosts[0].host, a.hosts[1].host, a.kind == ActionKind::kLinkRestore);
        return;
      }
      case ActionKind::kLinkDown:
      case ActionKind::kLinkUp:
        sim_.set_link(a.hosts[0].host, a.hosts[1].host, a.kind == ActionKind::kLinkUp);
        return;
      case ActionKind::kLinkSet:
        sim_.set_link_properties(a.hosts[0].host, a.hosts[1].host, a.link_delay, a.link_jitter,
                                 a.link_loss_ppm);
        return;
      case ActionKind::kSwitchFail:
      case ActionKind::kSwitchRestore:
        sim_.set_switch(a.kind == ActionKind::kSwitchRestore);
        return;
      case ActionKind::kLoss:
        sim_.set_loss(a.ppm);
        return;
      case ActionKind::kFlap:
        flap(a);
        return;
      case ActionKind::kStorageDown:
        return each_host(a, [&](HostIndex h) { sim_.set_storage_path(h, PathState::kDown); });
      case ActionKind::kStorageUp:
        return each_host(a, [&](HostIndex h) { sim_.set_storage_path(h, PathState::kUp); });
      case ActionKind::kStorageError:
        return each_host(a, [&](HostIndex h) { sim_.set_storage_path(h, PathState::kError); });
      case ActionKind::kStoragePause:
        return each_host(a, [&](HostIndex h) {
          sim_.set_storage_path(h, PathState::kPaused);
          if (a.duration > Duration::zero())
            sim_.at(sim_.now() + a.duration, [this, h] {
              if (sim_.storage().path(h) == PathState::kPaused)
                sim_.set_storage_path(h, PathState::kUp);
            });
        });
      case ActionKind::kTornWrite:
        return each_host(a, [&](HostIndex h) { sim_.tear_next_write(h); });
      case ActionKind::kStorageLatency:
        return each_host(a, [&](HostIndex h) {
          sim_.set_storage_latency(h, StorageLatency{a.duration, a.jitter});
        });
      case ActionKind::kIsolation:
        return each_host(a, [&](HostIndex h) { sim_.set_isolation(h, a.isolation); });
      case ActionKind::kClockJump:
        return each_host(a, [&](HostIndex h) { sim_.clock_jump(h, a.duration); });
      case ActionKind::kClockDrift:
        return each_host(a, [&](HostIndex h) { sim_.set_drift(h, a.drift_ppm); });
      case ActionKind::kHeal:
        sim_.heal();
        return;
      case ActionKind::kSettle:
        sim_.check_settled();
        return;
      case ActionKind::kExpect:
        record(t.line, a.expect);
        return;
      case ActionKind::kVmStart:
        sim_.pool()->start_vm(
            a.vm, a.hosts.empty() ? std::nullopt : std::optional<HostIndex>(a.hosts[0].host));
        return;
      case ActionKind::kVmShutdown:
        sim_.pool()->shutdown_vm(a.vm);
        return;
      case ActionKind::kVmHalt:
        sim_.pool()->guest_halt(a.vm, vm::HaltCause::kGuestShutdown);
        return;
      case ActionKind::kVmCrash:
        sim_.pool()->guest_halt(a.vm, vm::HaltCause::kGuestCrash);
        return;
      case ActionKind::kVmFailStarts:
        sim_.pool()->fail_starts(a.hosts[0].host, static_cast<std::uint32_t>(a.number));
        return;
      case ActionKind::kVmSetPriority:
        sim_.pool()->set_restart_priority(a.vm, a.priority == VmPriority::kRestart
                                                    ? failover::RestartPriority::kRestart
                                                : a.priority == VmPriority::kBestEffort
                                                    ? failover::RestartPriority::kBestEffort
                                                    : failover::RestartPriority::kUnprotected);
        return;
      case ActionKind::kPoolSetTarget:
        sim_.pool()->set_failures_to_tolerate(static_cast<std::uint32_t>(a.number));
        return;
    }
  }

  const Scenario& s_;
  Simulator& sim_;
  RunReport& report_;
};

}  // namespace

SimPoolConfig pool_config(const Scenario& s) {
  SimPoolConfig c;
  c.vms = s.vms;
  for (const HostDecl& d : s.host_decls) c.host_memory_mib.push_back(d.memory_mib.value_or(65536));
  c.vm_timing.boot = s.pool.vm_boot;
  c.policy.restart_on_internal_shutdown = s.pool.restart_on_internal_shutdown;
  c.policy.failures_to_tolerate = s.pool.failures_to_tolerate;
  c.policy.allow_overcommit = s.pool.allow_overcommit;
  return c;
}

RunReport run_scenario(const Scenario& s, const RunOptions& options) {
  RunReport report;
  report.name = s.name;
  auto timing = ha::make_timing(s.timeout, s.overrides);
  if (auto* problem = std::get_if<std::string>(&timing)) {
    report.error = "unsafe or invalid timing: " + *problem;
    return report;
  }

  SimConfig config;
  config.hosts = s.hosts;
  config.timing = std::get<ha::Timing>(timing);
  config.seed = s.seed;
  config.reboot_after_fence = s.reboot_after_fence;
  config.network = s.network;
  config.storage = s.storage;
  for (const HostDecl& d : s.host_decls) {
    config.weights.push_back(d.weight);
    config.first_boot_clock.push_back(d.clock ? std::optional(from_us(d.clock->count()))
                                              : std::nullopt);
    config.drift_ppm.push_back(d.drift_ppm);
    config.host_storage.push_back(d.storage);
  }
  config.timeline.keep = options.keep_timeline;
  config.timeline.echo = options.echo;
  config.timeline.hash = options.hash_timeline;
  config.stop_on_violation = options.stop_on_violation;
  if (s.uses_vms()) config.pool = pool_config(s);

  const auto wall_start = std::chrono::steady_clock::now();
  Simulator sim(std::move(config));
  Runner runner(s, sim, report);
  sim.note(fmt::format("scenario {}: {} hosts, T={}, seed {}", s.name, s.hosts,
                       format_duration(s.timeout), s.seed));
  for (HostIndex h = 0; h < s.hosts; ++h)
    if (s.host_decls[h].powered_on) sim.power_on(h);
  runner.schedule();
  const VirtualTime end = s.end_time();
  sim.run_until(end);
  if (!sim.stopped()) {
    sim.note("end of run");
    runner.check_whole_run();
  }

  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  report.violations = sim.violations();
  report.fences = sim.fences().size();
  report.simulated = sim.now() - kSimStart;
  report.counters = sim.counters();
  report.timeline_hash = sim.timeline().hash();
  if (options.inspect) options.inspect(sim);
  if (options.keep_timeline) report.timeline = sim.timeline().lines();
  return report;
}

}  // namespace poolha::sim

#include "sim/scenario_writer.h"

#include <fmt/format.h>

#include "sim/duration_text.h"
#include "sim/expectations.h"

namespace poolha::sim {

namespace {

const char* priority_name(VmPriority p) {
  switch (p) {
    case VmPriority::kRestart:
      return "restart";
    case VmPriority::kBestEffort:
      return "best-effort";
    case VmPriority::kUnprotected:
      return "unprotected";
  }
  return "?";
}

std::string hosts_text(const std::vector<HostRef>& hosts) {
  std::string out;
  for (const HostRef& r : hosts)
    out += (out.empty() ? "" : " ") +
           (r.is_master() ? std::string("master") : fmt::format("h{}", r.host));
  return out;
}

std::string time_text(VirtualTime t) {
  return format_duration(t - kSimStart);
}

std::string action_text(const Action& a) {
  const std::string hosts = hosts_text(a.hosts);
  switch (a.kind) {
    case ActionKind::kEnable:
      return "enable " + hosts;
    case ActionKind::kDisable:
      return "disable " + hosts;
    case ActionKind::kLeave:
      return "leave " + hosts;
    case ActionKind::kHandover:
      return "handover " + hosts;
    case ActionKind::kDisarm:
      return "disarm " + hosts;
    case ActionKind::kEmergencyDisable:
      return "emergency-disable " + hosts;
    case ActionKind::kPowerOff:
      return "power-off " + hosts;
    case ActionKind::kPowerOn:
      return "power-on " + hosts;
    case ActionKind::kReboot:
      return fmt::format("reboot {} after={}", hosts, format_duration(a.duration));
    case ActionKind::kHang:
      return fmt::format("hang {} {}", hosts, format_duration(a.duration));
    case ActionKind::kNicDown:
      return "nic-down " + hosts;
    case ActionKind::kNicUp:
      return "nic-up " + hosts;
    case ActionKind::kLinkCut:
      return "link-cut " + hosts;
    case ActionKind::kLinkRestore:
      return "link-restore " + hosts;
    case ActionKind::kLinkDown:
      return "link-down " + hosts;
    case ActionKind::kLinkUp:
      return "link-up " + hosts;
    case ActionKind::kLinkSet: {
      std::string out = "link-set " + hosts;
      if (a.link_delay) out += " delay=" + format_duration(*a.link_delay);
      if (a.link_jitter) out += " jitter=" + format_duration(*a.link_jitter);
      if (a.link_loss_ppm) out += " loss=" + format_percent_ppm(*a.link_loss_ppm);
      return out;
    }
    case ActionKind::kSwitchFail:
      return "switch-fail";
    case ActionKind::kSwitchRestore:
      return "switch-restore";
    case ActionKind::kLoss:
      return "loss " + format_percent_ppm(a.ppm);
    case ActionKind::kFlap:
      return fmt::format("flap {} period={} until={} down={}", hosts, format_duration(a.period),
                         time_text(*a.until), format_duration(a.down_for));
    case ActionKind::kStorageDown:
      return "storage-down " + hosts;
    case ActionKind::kStorageUp:
      return "storage-up " + hosts;
    case ActionKind::kStoragePause:
      return a.duration > Duration::zero()
                 ? fmt::format("storage-pause {} {}", hosts, format_duration(a.duration))
                 : "storage-pause " + hosts;
    case ActionKind::kStorageError:
      return "storage-error " + hosts;
    case ActionKind::kTornWrite:
      return "torn-write " + hosts;
    case ActionKind::kStorageLatency:
      return fmt::format("storage-latency {} {} jitter={}", hosts, format_duration(a.duration),
                         format_duration(a.jitter));
    case ActionKind::kIsolation: {
      static constexpr const char* kNames[] = {"auto", "reachable", "unreachable"};
      return fmt::format("isolation {} {}", hosts, kNames[static_cast<int>(a.isolation)]);
    }
    case ActionKind::kClockJump:
      return fmt::format("clock-jump {} {}{}", hosts, a.duration.count() >= 0 ? "+" : "",
                         format_duration(a.duration));
    case ActionKind::kClockDrift:
      return fmt::format("clock-drift {} {:+}ppm", hosts, a.drift_ppm);
    case ActionKind::kHeal:
      return "heal";
    case ActionKind::kSettle:
      return "settle";
    case ActionKind::kVmStart:
      return "vm-start " + a.vm + (a.hosts.empty() ? "" : " on=" + hosts);
    case ActionKind::kVmShutdown:
      return "vm-shutdown " + a.vm;
    case ActionKind::kVmHalt:
      return "vm-halt " + a.vm;
    case ActionKind::kVmCrash:
      return "vm-crash " + a.vm;
    case ActionKind::kVmFailStarts:
      return fmt::format("vm-fail-starts {} {}", hosts, a.number);
    case ActionKind::kVmSetPriority:
      return fmt::format("vm-set-priority {} {}", a.vm, priority_name(a.priority));
    case ActionKind::kPoolSetTarget:
      return fmt::format("pool-set failures-to-tolerate={}", a.number);
    case ActionKind::kExpect:
      return describe(a.expect);
  }
  return "?";
}

void write_override(std::string& out, const char* name, const std::optional<Duration>& d) {
  if (d) out += fmt::format("set {}={}\n", name, format_duration(*d));
}

}  // namespace

std::string write_scenario(const Scenario& s) {
  std::string out = fmt::format("# {}\nhosts {}\ntimeout {}\nseed {}\n", s.name, s.hosts,
                                format_duration(s.timeout), s.seed);
  if (s.duration) out += fmt::format("duration {}\n", format_duration(*s.duration));
  out += s.reboot_after_fence
             ? fmt::format("reboot-after-fence {}\n", format_duration(*s.reboot_after_fence))
             : "reboot-after-fence never\n";
  const ha::TimingOverrides& o = s.overrides;
  write_override(out, "hb-interval", o.hb_interval);
  write_override(out, "sf-interval", o.sf_interval);
  write_override(out, "sf-fast-interval", o.sf_fast_interval);
  write_override(out, "io-timeout", o.io_timeout);
  write_override(out, "peer-timeout", o.peer_timeout);
  write_override(out, "unsteady-after", o.unsteady_after);
  write_override(out, "commit-window", o.commit_window);
  write_override(out, "lease", o.lease);
  write_override(out, "margin", o.margin);
  write_override(out, "watchdog", o.watchdog);
  write_override(out, "boot-wait", o.boot_wait);
  write_override(out, "join-probation", o.join_probation);
  out += fmt::format("network delay={} jitter={} loss={}\n", format_duration(s.network.delay),
                     format_duration(s.network.jitter), format_percent_ppm(s.network.loss_ppm));
  out += fmt::format("storage latency={} jitter={}\n", format_duration(s.storage.latency),
                     format_duration(s.storage.jitter));
  for (std::size_t h = 0; h < s.host_decls.size(); ++h) {
    const HostDecl& d = s.host_decls[h];
    std::string line = fmt::format("host h{} {}", h, d.powered_on ? "on" : "off");
    if (d.clock) line += " clock=" + format_duration(*d.clock);
    if (d.drift_ppm != 0) line += fmt::format(" drift={:+}ppm", d.drift_ppm);
    if (d.weight != 1) line += fmt::format(" weight={}", d.weight);
    if (d.storage)
      line += fmt::format(" storage-latency={} storage-jitter={}",
                          format_duration(d.storage->latency), format_duration(d.storage->jitter));
    if (d.memory_mib) line += fmt::format(" memory={}", *d.memory_mib);
    out += line + "\n";
  }
  if (s.pool.declared) {
    out += fmt::format(
        "pool restart-on-internal-shutdown={} failures-to-tolerate={} allow-overcommit={} "
        "vm-boot={}\n",
        s.pool.restart_on_internal_shutdown ? "on" : "off", s.pool.failures_to_tolerate,
        s.pool.allow_overcommit ? "on" : "off", format_duration(s.pool.vm_boot));
  }
  for (const VmSpec& vm : s.vms)
    out += fmt::format("vm {} host=h{} memory={} priority={} order={} start-delay={}\n", vm.name,
                       vm.host, vm.memory_mib, priority_name(vm.priority), vm.order,
                       format_duration(vm.start_delay));
  for (const WholeRunExpectation& w : s.whole_run) out += describe(w.expect) + "\n";
  for (const TimedAction& t : s.actions)
    out += fmt::format("at {} {}\n", time_text(t.at), action_text(t.action));
  return out;
}

}  // namespace poolha::sim

#include "sim/random_schedule.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/prng.h"

namespace poolha::sim {

namespace {

class Generator {
 public:
  explicit Generator(const RandomParams& p)
      : p_(p),
        prng_(p.seed * 0x9E3779B97F4A7C15ull ^ (std::uint64_t{p.hosts} << 48)),
        vm_prng_(p.seed * 0xD1B54A32D192ED03ull ^ (std::uint64_t{p.vms} << 32) ^ p.hosts) {}

  Scenario generate() {
    s_.name = fmt::format("random seed {} hosts {} T={}s", p_.seed, p_.hosts,
                          std::chrono::duration_cast<std::chrono::seconds>(p_.timeout).count());
    s_.hosts = p_.hosts;
    s_.timeout = p_.timeout;
    s_.seed = prng_.next();
    s_.reboot_after_fence = Duration(prng_.between(us(10s), us(T())));
    s_.host_decls.resize(p_.hosts);
    for (HostDecl& d : s_.host_decls) {
      d.clock = Duration(prng_.between(0, us(1'000'000s)));
      d.drift_ppm = static_cast<std::int32_t>(prng_.between(-500, 500));
    }
    s_.network.delay = Duration(prng_.between(100, 3'000));
    s_.network.jitter = Duration(prng_.between(0, s_.network.delay.count() / 2));
    s_.storage.latency = Duration(prng_.between(200, 20'000));
    s_.storage.jitter = Duration(prng_.between(0, s_.storage.latency.count() / 2));

    add(1s, enable(host()));
    const VirtualTime window_start = kSimStart + 3 * T();
    window_end_ = kSimStart + 10 * T();
    const auto faults = prng_.between(1, 6);
    for (std::int64_t i = 0; i < faults; ++i) {
      const VirtualTime at = kSimStart + Duration(prng_.between(us(window_start - kSimStart),
                                                                us(window_end_ - kSimStart)));
      fault(at);
    }
    if (p_.vms > 0) vms(window_start);
    const VirtualTime heal_at = window_end_ + T();
    add(heal_at - kSimStart, simple(ActionKind::kHeal));
    // Room for a fenced host to reboot, boot and be admitted again.
    const VirtualTime settle_at = heal_at + *s_.reboot_after_fence + 6 * T();
    add(settle_at - kSimStart, simple(ActionKind::kSettle));
    s_.duration = settle_at - kSimStart;
    std::stable_sort(s_.actions.begin(), s_.actions.end(),
                     [](const TimedAction& a, const TimedAction& b) { return a.at < b.at; });
    return std::move(s_);
  }

 private:
  Duration T() const { return p_.timeout; }
  static std::int64_t us(Duration d) { return d.count(); }
  Duration uniform(Duration lo, Duration hi) { return Duration(prng_.between(us(lo), us(hi))); }
  HostIndex host() { return static_cast<HostIndex>(prng_.below(p_.hosts)); }
  HostIndex other_than(HostIndex h) {
    const auto o = static_cast<HostIndex>(prng_.below(p_.hosts - 1u));
    return o >= h ? static_cast<HostIndex>(o + 1) : o;
  }
  // A single host, occasionally all of them.
  std::vector<HostRef> hosts(std::uint32_t all_percent) {
    if (p_.hosts > 1 && prng_.chance_percent(all_percent)) {
      std::vector<HostRef> all;
      for (HostIndex h = 0; h < p_.hosts; ++h) all.push_back(HostRef{h});
      return all;
    }
    return {HostRef{host()}};
  }

  static Action simple(ActionKind kind, std::vector<HostRef> hosts = {}) {
    Action a;
    a.kind = kind;
    a.hosts = std::move(hosts);
    return a;
  }
  static Action enable(HostIndex h) { return simple(ActionKind::kEnable, {HostRef{h}}); }
  void add(Duration at, Action a) { add(kSimStart + at, std::move(a)); }
  void add(VirtualTime at, Action a) { s_.actions.push_back(TimedAction{at, 0, std::move(a)}); }
  // The undo of a fault, unless it would fall after the heal (which undoes it).
  void later(VirtualTime at, Duration after, Action a) {
    if (at + after < window_end_ + T()) add(at + after, std::move(a));
  }

  void fault(VirtualTime at) {
    const bool pairs = p_.hosts >= 2;
    enum Kind {
      kCrash,
      kReboot,
      kShortHang,
      kLongHang,
      kNic,
      kLinkCut,
      kLinkOneWay,
      kLoss,
      kFlapNic,
      kFlapLink,
      kStorageDown,
      kStoragePause,
      kStorageError,
      kTorn,
      kIsolation,
      kClockJump,
      kLeave,
      kHandover,
      kSwitch,
      kSlowStorage,
      kCount
    };
    Kind kind = static_cast<Kind>(prng_.below(kCount));
    if (!pairs &&
        (kind == kLinkCut || kind == kLinkOneWay || kind == kFlapLink || kind == kHandover))
      kind = kCrash;
    const Duration watchdog = T() / 4;  // ha::make_timing's default derivation
    const HostIndex h = host();
    switch (kind) {
      case kCrash:
        add(at, simple(ActionKind::kPowerOff, {HostRef{h}}));
        later(at, uniform(1s, 3 * T()), simple(ActionKind::kPowerOn, {HostRef{h}}));
        return;
      case kReboot: {
        Action a = simple(ActionKind::kReboot, {HostRef{h}});
        a.duration = uniform(1s, 2 * T());
        add(at, std::move(a));
        return;
      }
      case kShortHang:
      case kLongHang: {
        Action a = simple(ActionKind::kHang, {HostRef{h}});
        a.duration = kind == kShortHang ? uniform(watchdog / 10, watchdog * 9 / 10)
                                        : uniform(watchdog * 6 / 5, 3 * watchdog);
        add(at, std::move(a));
        return;
      }
      case kNic:
        add(at, simple(ActionKind::kNicDown, {HostRef{h}}));
        later(at, uniform(1s, 2 * T()), simple(ActionKind::kNicUp, {HostRef{h}}));
        return;
      case kLinkCut:
      case kLinkOneWay: {
        const HostIndex o = other_than(h);
        const bool both = kind == kLinkCut;
        add(at,
            simple(both ? ActionKind::kLinkCut : ActionKind::kLinkDown, {HostRef{h}, HostRef{o}}));
        later(at, uniform(1s, 2 * T()),
              simple(both ? ActionKind::kLinkRestore : ActionKind::kLinkUp,
                     {HostRef{h}, HostRef{o}}));
        return;
      }
      case kLoss: {
        const auto ppm = static_cast<std::uint32_t>(prng_.between(50'000, 500'000));
        if (pairs && prng_.chance_percent(50)) {
          // Loss on one direction of one link only: an asymmetric fault.
          Action a = simple(ActionKind::kLinkSet, {HostRef{h}, HostRef{other_than(h)}});
          a.link_loss_ppm = ppm;
          Action back = simple(ActionKind::kLinkSet, a.hosts);
          back.link_loss_ppm = 0;
          add(at, std::move(a));
          later(at, uniform(5s, 3 * T()), std::move(back));
          return;
        }
        Action a = simple(ActionKind::kLoss);
        a.ppm = ppm;
        add(at, std::move(a));
        later(at, uniform(5s, 3 * T()), simple(ActionKind::kLoss));
        return;
      }
      case kFlapNic:
      case kFlapLink: {
        Action a = simple(ActionKind::kFlap, {HostRef{h}});
        if (kind == kFlapLink) a.hosts.push_back(HostRef{other_than(h)});
        a.period = uniform(1s, 10s);
        a.down_for = Duration(prng_.between(us(a.period) / 10, us(a.period) * 9 / 10));
        a.until = std::min(at + uniform(10s, 3 * T()), window_end_ + T());
        add(at, std::move(a));
        return;
      }
      case kStorageDown:
      case kStorageError: {
        auto targets = hosts(20);
        add(at, simple(kind == kStorageDown ? ActionKind::kStorageDown : ActionKind::kStorageError,
                       targets));
        later(at, uniform(1s, 2 * T()), simple(ActionKind::kStorageUp, targets));
        return;
      }
      case kStoragePause: {
        Action a = simple(ActionKind::kStoragePause, hosts(40));
        a.duration = uniform(1s, 2 * T());
        add(at, std::move(a));
        return;
      }
      case kTorn:
        add(at, simple(ActionKind::kTornWrite, {HostRef{h}}));
        return;
      case kIsolation: {
        Action a = simple(ActionKind::kIsolation, hosts(20));
        a.isolation = IsolationSetting::kUnreachable;
        Action back = simple(ActionKind::kIsolation, a.hosts);
        add(at, std::move(a));
        later(at, uniform(1s, 2 * T()), std::move(back));
        return;
      }
      case kClockJump: {
        Action a = simple(ActionKind::kClockJump, {HostRef{h}});
        a.duration = uniform(-86'400s, 86'400s);
        add(at, std::move(a));
        return;
      }
      case kLeave:
        add(at, simple(ActionKind::kLeave, {HostRef{h}}));
        if (prng_.chance_percent(50)) {
          Action a = simple(ActionKind::kReboot, {HostRef{h}});
          a.duration = uniform(1s, T());
          later(at, uniform(1s, 2 * T()), std::move(a));
        }
        return;
      case kHandover:
        add(at, simple(ActionKind::kHandover, {HostRef{HostRef::kMaster}, HostRef{h}}));
        return;
      case kSwitch:
        add(at, simple(ActionKind::kSwitchFail));
        later(at, uniform(1s, 2 * T()), simple(ActionKind::kSwitchRestore));
        return;
      case kSlowStorage: {
        Action a = simple(ActionKind::kStorageLatency, hosts(30));
        a.duration = uniform(10ms, T() / 10);
        a.jitter = a.duration / 2;
        Action back = simple(ActionKind::kStorageLatency, a.hosts);
        back.duration = s_.storage.latency;
        back.jitter = s_.storage.jitter;
        add(at, std::move(a));
        later(at, uniform(1s, 2 * T()), std::move(back));
        return;
      }
      case kCount:
        return;
    }
  }

  // The VM layer: its own random stream, so adding VMs leaves the
  // membership faults of a seed as they were.
  void vms(VirtualTime window_start) {
    Prng& r = vm_prng_;
    PoolDecl& pool = s_.pool;
    pool.declared = true;
    pool.restart_on_internal_shutdown = r.chance_percent(70);
    pool.failures_to_tolerate =
        static_cast<std::uint32_t>(r.below(std::min<std::uint64_t>(p_.hosts, 3)));
    pool.vm_boot = Duration(r.between(us(1s), us(20s)));
    std::uint64_t capacity = 0;
    for (HostDecl& d : s_.host_decls) {
      d.memory_mib = 1024 * static_cast<std::uint64_t>(r.between(16, 64));
      capacity += *d.memory_mib;
    }
    // Fill the pool to about half of its memory on average.
    const std::uint64_t mean = std::max<std::uint64_t>(capacity / 2 / p_.vms, 256);
    std::vector<std::uint64_t> used(p_.hosts, 0);
    for (std::uint32_t i = 0; i < p_.vms; ++i) {
      VmSpec vm;
      vm.name = fmt::format("vm{}", i);
      vm.memory_mib = static_cast<std::uint64_t>(r.between(mean / 4 + 1, mean * 7 / 4 + 1));
      // The first host with room, from a random start (declared VMs run at t=0).
      const auto start = static_cast<HostIndex>(r.below(p_.hosts));
      bool placed = false;
      for (HostIndex k = 0; k < p_.hosts && !placed; ++k) {
        const auto h = static_cast<HostIndex>((start + k) % p_.hosts);
        if (used[h] + vm.memory_mib > *s_.host_decls[h].memory_mib) continue;
        used[h] += vm.memory_mib;
        vm.host = h;
        placed = true;
      }
      if (!placed) break;
      const auto roll = r.below(100);
      vm.priority = roll < 70   ? VmPriority::kRestart
                    : roll < 85 ? VmPriority::kBestEffort
                                : VmPriority::kUnprotected;
      vm.order = static_cast<std::uint32_t>(r.below(3));
      vm.start_delay = r.chance_percent(30) ? Duration(r.between(0, us(5s))) : Duration{};
      s_.vms.push_back(std::move(vm));
    }
    if (s_.vms.empty()) return;
    const auto faults = r.between(0, 4);
    for (std::int64_t i = 0; i < faults; ++i) {
      const VirtualTime at = kSimStart + Duration(r.between(us(window_start - kSimStart),
                                                            us(window_end_ - kSimStart)));
      Action a;
      a.vm = s_.vms[r.below(s_.vms.size())].name;
      switch (r.below(5)) {
        case 0:
          a.kind = ActionKind::kVmHalt;
          break;
        case 1:
          a.kind = ActionKind::kVmCrash;
          break;
        case 2:
          a.kind = ActionKind::kVmShutdown;
          if (r.chance_percent(50)) {
            Action again;
            again.kind = ActionKind::kVmStart;
            again.vm = a.vm;
            later(at, Duration(r.between(us(1s), us(2 * T()))), std::move(again));
          }
          break;
        case 3:
          a.kind = ActionKind::kVmFailStarts;
          a.hosts = {HostRef{static_cast<HostIndex>(r.below(p_.hosts))}};
          a.number = static_cast<std::uint64_t>(r.between(1, 3));
          break;
        default:
          a.kind = ActionKind::kVmStart;  // usually refused: it already runs
          break;
      }
      add(at, std::move(a));
    }
  }

  RandomParams p_;
  Prng prng_;
  Prng vm_prng_;
  Scenario s_;
  VirtualTime window_end_{};
};

}  // namespace

Scenario make_random_scenario(const RandomParams& params) {
  return Generator(params).generate();
}

}  // namespace poolha::sim

// Draws the chaos schedule from the simulator's PRNG (sim/prng.h), whose
// output is the same with every standard library, so a seed replays the
// same faults everywhere.
#include "chaos/chaos_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "sim/prng.h"

namespace poolha::chaos {
namespace {

Millis draw_millis(sim::Prng& prng, Millis lo, Millis hi) {
  return Millis(prng.between(lo.count(), hi.count()));
}

double seconds_of(Millis d) {
  return static_cast<double>(d.count()) / 1000.0;
}

std::string host_name(std::size_t index) {
  return "host-" + std::to_string(index + 1);
}

}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kPowerLoss:
      return "power-loss";
    case FaultKind::kDaemonHang:
      return "daemon-hang";
    case FaultKind::kManagementCut:
      return "management-cut";
    case FaultKind::kSwitchCut:
      return "switch-cut";
    case FaultKind::kStorageCut:
      return "storage-cut";
    case FaultKind::kAsymmetricDrop:
      return "asymmetric-drop";
    case FaultKind::kPacketLoss:
      return "packet-loss";
    case FaultKind::kLinkFlap:
      return "link-flap";
    case FaultKind::kClockJump:
      return "clock-jump";
    case FaultKind::kNbdRestart:
      return "nbd-restart";
  }
  return "unknown";
}

ScheduleBounds schedule_bounds(int ha_timeout_seconds) {
  const Millis t = std::chrono::seconds(ha_timeout_seconds);
  ScheduleBounds b;
  b.watchdog = t / 4;
  b.short_hang_min = b.watchdog / 10;
  b.short_hang_max = b.watchdog / 2;
  b.long_hang_min = b.watchdog * 6 / 5;
  b.long_hang_max = b.watchdog * 3;
  b.outage_min = Millis(1000);
  b.outage_max = std::max(b.outage_min, 2 * t);
  b.degraded_min = Millis(5000);
  b.degraded_max = std::max(b.degraded_min, 3 * t);
  b.flap_period_min = Millis(1000);
  b.flap_period_max = Millis(5000);
  b.nbd_down_min = Millis(200);
  b.nbd_down_max = std::max(b.nbd_down_min, t / 2);
  b.clock_hold_min = Millis(1000);
  b.clock_hold_max = std::max(b.clock_hold_min, t);
  b.clock_offset_min = std::chrono::minutes(1);
  b.clock_offset_max = std::chrono::minutes(30);
  b.gap_min = Millis(0);
  b.gap_max = t;
  return b;
}

std::vector<ScheduledFault> make_chaos_schedule(const ScheduleOptions& options) {
  if (options.hosts < 2) throw std::invalid_argument("a chaos schedule needs at least 2 hosts");
  if (options.ha_timeout_seconds < 1) throw std::invalid_argument("T must be at least 1 s");
  const ScheduleBounds b = schedule_bounds(options.ha_timeout_seconds);
  // The pool size and T are mixed into the seed: a seed with other options
  // is another schedule, not a shifted copy of the same draws.
  sim::Prng prng(options.seed * 0x9E3779B97F4A7C15ull ^ (std::uint64_t{options.hosts} << 40) ^
                 static_cast<std::uint64_t>(options.ha_timeout_seconds));
  std::vector<FaultKind> kinds;
  for (std::size_t k = 0; k < kFaultKindCount; ++k) {
    const auto kind = static_cast<FaultKind>(k);
    if (kind == FaultKind::kClockJump && !options.clock_jumps) continue;
    kinds.push_back(kind);
  }

  std::vector<ScheduledFault> schedule;
  schedule.reserve(options.faults);
  for (std::size_t i = 0; i < options.faults; ++i) {
    ScheduledFault f;
    f.number = i + 1;
    f.kind = kinds[prng.below(kinds.size())];
    f.host = prng.below(options.hosts);
    // Always drawn, so the draws that follow do not depend on the kind.
    const std::size_t other = prng.below(options.hosts - 1);
    f.peer = other >= f.host ? other + 1 : other;
    f.gap = draw_millis(prng, b.gap_min, b.gap_max);
    switch (f.kind) {
      case FaultKind::kPowerLoss:
      case FaultKind::kManagementCut:
      case FaultKind::kSwitchCut:
      case FaultKind::kStorageCut:
        f.duration = draw_millis(prng, b.outage_min, b.outage_max);
        break;
      case FaultKind::kDaemonHang:
        f.duration = prng.chance_percent(50) ? draw_millis(prng, b.short_hang_min, b.short_hang_max)
                                             : draw_millis(prng, b.long_hang_min, b.long_hang_max);
        break;
      case FaultKind::kAsymmetricDrop:
        f.duration = draw_millis(prng, b.degraded_min, b.degraded_max);
        break;
      case FaultKind::kPacketLoss:
        f.duration = draw_millis(prng, b.degraded_min, b.degraded_max);
        f.loss_percent = b.loss_percent;
        break;
      case FaultKind::kLinkFlap: {
        f.duration = draw_millis(prng, b.degraded_min, b.degraded_max);
        f.flap_period = draw_millis(prng, b.flap_period_min, b.flap_period_max);
        f.flap_down =
            Millis(prng.between(f.flap_period.count() / 10, f.flap_period.count() * 9 / 10));
        break;
      }
      case FaultKind::kClockJump: {
        f.duration = draw_millis(prng, b.clock_hold_min, b.clock_hold_max);
        const auto magnitude = std::chrono::seconds(
            prng.between(b.clock_offset_min.count(), b.clock_offset_max.count()));
        f.clock_offset = prng.chance_percent(50) ? magnitude : -magnitude;
        break;
      }
      case FaultKind::kNbdRestart:
        f.duration = draw_millis(prng, b.nbd_down_min, b.nbd_down_max);
        break;
    }
    schedule.push_back(f);
  }
  return schedule;
}

std::string describe_fault(const ScheduledFault& f) {
  const double seconds = seconds_of(f.duration);
  const std::string host = host_name(f.host);
  switch (f.kind) {
    case FaultKind::kPowerLoss:
      return fmt::format("power loss of {} for {:.1f} s", host, seconds);
    case FaultKind::kDaemonHang:
      return fmt::format("daemon of {} hangs (SIGSTOP) for {:.1f} s", host, seconds);
    case FaultKind::kManagementCut:
      return fmt::format("management link of {} cut for {:.1f} s", host, seconds);
    case FaultKind::kSwitchCut:
      return fmt::format("management switch fails (every host's link cut) for {:.1f} s", seconds);
    case FaultKind::kStorageCut:
      return fmt::format("storage path of {} cut for {:.1f} s", host, seconds);
    case FaultKind::kAsymmetricDrop:
      return fmt::format("{} drops every packet from {} for {:.1f} s", host, host_name(f.peer),
                         seconds);
    case FaultKind::kPacketLoss:
      return fmt::format("{} % packet loss on {}'s management link for {:.1f} s", f.loss_percent,
                         host, seconds);
    case FaultKind::kLinkFlap:
      return fmt::format("management link of {} flaps (down {:.1f} s every {:.1f} s) for {:.1f} s",
                         host, seconds_of(f.flap_down), seconds_of(f.flap_period), seconds);
    case FaultKind::kClockJump:
      return fmt::format(
          "wall clock jumps {}{} min {} s for {:.1f} s", f.clock_offset.count() < 0 ? "-" : "+",
          std::abs(f.clock_offset.count()) / 60, std::abs(f.clock_offset.count()) % 60, seconds);
    case FaultKind::kNbdRestart:
      return fmt::format("NBD server killed, restarted after {:.1f} s", seconds);
  }
  return "unknown fault";
}

}  // namespace poolha::chaos

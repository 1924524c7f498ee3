// The fault schedule of a chaos run: which fault, on which host, for how
// long, after how long a pause. A pure function of the seed and the run's
// options, so a seed names the same sequence of faults on every machine;
// only the pool's real reactions to them vary from run to run.
//
// Faults come one at a time: the run injects one, undoes it after its
// duration, waits until the pool has settled, pauses for the next fault's
// gap and only then injects the next. At most one fault is ever active, so
// at most one host (or, for a switch failure, the management network as a
// whole) is faulty at once and the pool can always recover.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace poolha::chaos {

using Millis = std::chrono::milliseconds;

enum class FaultKind {
  kPowerLoss,       // every process of the host killed at once; powered on after `duration`
  kDaemonHang,      // SIGSTOP of the daemon only, SIGCONT after `duration`
  kManagementCut,   // one host's management link cut
  kSwitchCut,       // every host's management link cut: the switch failed
  kStorageCut,      // one host's storage path cut
  kAsymmetricDrop,  // `host` drops every packet from `peer`'s management address
  kPacketLoss,      // `loss_percent` of the host's management packets dropped, both ways
  kLinkFlap,        // the host's management link cut and restored every `flap_period`
  kClockJump,       // the machine's wall clock set `clock_offset` away, set back after `duration`
  kNbdRestart,      // the NBD server killed, started again after `duration`
};

inline constexpr std::size_t kFaultKindCount = 10;

// Stable short names: "power-loss", "daemon-hang", ...
std::string_view fault_kind_name(FaultKind kind);

struct ScheduleOptions {
  std::uint64_t seed = 1;
  std::size_t hosts = 3;  // 2..16
  std::size_t faults = 10;
  int ha_timeout_seconds = 10;  // T
  bool clock_jumps = true;      // false: kClockJump is never drawn
};

struct ScheduledFault {
  std::size_t number = 0;  // 1-based position in the schedule
  FaultKind kind = FaultKind::kPowerLoss;
  std::size_t host = 0;   // 0-based target; unused by kSwitchCut, kClockJump, kNbdRestart
  std::size_t peer = 0;   // kAsymmetricDrop: the host whose packets `host` drops (never `host`)
  Millis gap{0};          // pause after the pool settled from the previous fault
  Millis duration{0};     // how long the fault lasts before it is undone
  Millis flap_period{0};  // kLinkFlap: one cut plus one restore
  Millis flap_down{0};    // kLinkFlap: how long each cut lasts (< flap_period)
  std::chrono::seconds clock_offset{0};  // kClockJump: never 0
  int loss_percent = 0;                  // kPacketLoss
};

// The bounds every drawn fault keeps, from T. The watchdog timeout is T/4
// (the engine's default timing); a daemon hang lasts either clearly less or
// clearly more than it, so both sides of the fence decision are exercised.
// The daemon kicks every quarter of the timeout, so a hang that must not
// fence stays below half of it: the time since the last kick comes on top.
struct ScheduleBounds {
  Millis watchdog;
  Millis short_hang_min, short_hang_max;    // 10 %..50 % of the watchdog timeout
  Millis long_hang_min, long_hang_max;      // 120 %..300 %
  Millis outage_min, outage_max;            // cuts, power loss: 1 s..2 T
  Millis degraded_min, degraded_max;        // loss, asymmetric drops, flapping: 5 s..3 T
  Millis flap_period_min, flap_period_max;  // 1 s..5 s
  Millis nbd_down_min, nbd_down_max;        // 200 ms..T/2
  Millis clock_hold_min, clock_hold_max;    // 1 s..T
  std::chrono::seconds clock_offset_min, clock_offset_max;  // |offset|: 1..30 minutes
  Millis gap_min, gap_max;                                  // 0..T
  int loss_percent = 30;
};

ScheduleBounds schedule_bounds(int ha_timeout_seconds);

// Exactly `options.faults` faults. Throws std::invalid_argument for fewer
// than 2 hosts or a T below 1 s.
std::vector<ScheduledFault> make_chaos_schedule(const ScheduleOptions& options);

// One line for the timeline, e.g. "power loss of host-2 for 7.3 s" (hosts
// are named host-1, host-2, ... as in the local pool).
std::string describe_fault(const ScheduledFault& fault);

}  // namespace poolha::chaos

// Every protocol timeout, derived from one base T (the pool's persistent HA
// timeout), and the check that refuses an unsafe combination. The derivation
// and the inequalities are explained in docs/protocol.md.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "common/time.h"

namespace poolha::ha {

struct Timing {
  Duration base{};              // T
  Duration hb_interval{};       // network heartbeat period                      T/30
  Duration sf_interval{};       // statefile cycle period when nothing happens   T/40
  Duration sf_fast_interval{};  // statefile cycle period during a decision      T/120
  Duration io_timeout{};        // a statefile op slower than this = no access   T/20
  Duration peer_timeout{};      // a peer silent this long on a channel is gone  T/2
  Duration unsteady_after{};    // silent this long = "approaching timeout"      T/8
  Duration commit_window{};     // proposal write -> commit write, at most       T/4
  Duration lease{};             // a host's right to run, renewed by acks        T
  Duration margin{};            // clock-rate and fence-latency allowance        T/20
  Duration watchdog{};          // hardware/process watchdog timeout             T/4
  Duration boot_wait{};         // whole-pool boot waits this long for members   T
  Duration join_probation{};    // a joiner must be seen steadily this long      T/4
};

// Optional explicit values that replace derived ones (config file, scenario).
struct TimingOverrides {
  std::optional<Duration> hb_interval, sf_interval, sf_fast_interval, io_timeout, peer_timeout,
      unsteady_after, commit_window, lease, margin, watchdog, boot_wait, join_probation;
};

// Assumed bounds of the environment the inequalities are checked against.
struct EnvironmentBounds {
  double clock_drift = 0.01;       // max relative rate difference of two hosts' clocks
  Duration fence_latency = 200ms;  // from "fence now" to every VM process stopped
};

inline constexpr Duration kMinBaseTimeout = 2s;
inline constexpr Duration kMaxBaseTimeout = 3600s;

// Derives all timeouts from T, applies overrides, and checks every inequality.
// On failure the string names the violated bound and the values involved.
std::variant<Timing, std::string> make_timing(Duration base, const TimingOverrides& overrides = {},
                                              const EnvironmentBounds& env = {});

}  // namespace poolha::ha

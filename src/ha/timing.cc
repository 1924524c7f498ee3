#include "ha/timing.h"

#include <algorithm>
#include <cstdio>

namespace poolha::ha {
namespace {

std::string secs(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", to_seconds(d));
  return buf;
}

Duration scaled(Duration d, double factor) {
  return Duration(static_cast<Duration::rep>(static_cast<double>(d.count()) * factor));
}

}  // namespace

std::variant<Timing, std::string> make_timing(Duration base, const TimingOverrides& o,
                                              const EnvironmentBounds& env) {
  if (base < kMinBaseTimeout || base > kMaxBaseTimeout) {
    return "HA timeout T=" + secs(base) + " is outside " + secs(kMinBaseTimeout) + ".." +
           secs(kMaxBaseTimeout);
  }
  Timing t;
  t.base = base;
  t.hb_interval = o.hb_interval.value_or(base / 30);
  t.sf_interval = o.sf_interval.value_or(base / 40);
  t.sf_fast_interval = o.sf_fast_interval.value_or(base / 120);
  t.io_timeout = o.io_timeout.value_or(base / 20);
  t.peer_timeout = o.peer_timeout.value_or(base / 2);
  t.unsteady_after = o.unsteady_after.value_or(base / 8);
  t.commit_window = o.commit_window.value_or(base / 4);
  t.lease = o.lease.value_or(base);
  t.margin = o.margin.value_or(base / 20);
  t.watchdog = o.watchdog.value_or(base / 4);
  t.boot_wait = o.boot_wait.value_or(base);
  t.join_probation = o.join_probation.value_or(base / 4);

  const std::pair<const char*, Duration> positive[] = {{"hb_interval", t.hb_interval},
                                                       {"sf_interval", t.sf_interval},
                                                       {"sf_fast_interval", t.sf_fast_interval},
                                                       {"io_timeout", t.io_timeout},
                                                       {"peer_timeout", t.peer_timeout},
                                                       {"unsteady_after", t.unsteady_after},
                                                       {"commit_window", t.commit_window},
                                                       {"lease", t.lease},
                                                       {"margin", t.margin},
                                                       {"watchdog", t.watchdog},
                                                       {"boot_wait", t.boot_wait},
                                                       {"join_probation", t.join_probation}};
  for (const auto& [name, value] : positive) {
    if (value <= Duration::zero()) return std::string(name) + " must be positive";
  }

  // Liveness bounds: a healthy pool must not see failures that are not there.
  if (t.peer_timeout < 4 * t.hb_interval) {
    return "peer_timeout (" + secs(t.peer_timeout) + ") must be at least 4 heartbeat intervals (" +
           secs(4 * t.hb_interval) + ") so a few lost packets do not look like a failure";
  }
  if (t.peer_timeout < 4 * t.sf_interval + t.io_timeout) {
    return "peer_timeout (" + secs(t.peer_timeout) +
           ") must cover 4 statefile cycles plus one I/O timeout (" +
           secs(4 * t.sf_interval + t.io_timeout) + ")";
  }
  if (t.sf_fast_interval > t.sf_interval) {
    return "sf_fast_interval (" + secs(t.sf_fast_interval) + ") must not exceed sf_interval (" +
           secs(t.sf_interval) + ")";
  }
  if (t.unsteady_after * 2 > t.peer_timeout ||
      t.unsteady_after < 2 * std::max(t.hb_interval, t.sf_interval)) {
    return "unsteady_after (" + secs(t.unsteady_after) +
           ") must lie between two heartbeat/statefile intervals (" +
           secs(2 * std::max(t.hb_interval, t.sf_interval)) + ") and half the peer_timeout (" +
           secs(t.peer_timeout / 2) + ")";
  }
  // A healthy host must be able to kick its watchdog: its lease, renewed by
  // acks that may be two statefile cycles old, has to cover now + watchdog.
  const Duration worst_ack_age = 2 * t.sf_interval + 2 * t.io_timeout;
  if (t.watchdog + worst_ack_age >= t.lease) {
    return "watchdog (" + secs(t.watchdog) + ") plus the worst ack age on the statefile (" +
           secs(worst_ack_age) + ") must be below the lease (" + secs(t.lease) +
           "), or a healthy host could never kick its watchdog";
  }
  // Survivors of a crash must commit the new liveset before their own lease,
  // which still needs the dead host's acks, runs out.
  const Duration decision = t.peer_timeout + 4 * t.sf_fast_interval + 2 * t.io_timeout;
  if (decision >= t.lease) {
    return "detection plus decision time (peer_timeout + 4 fast statefile cycles + 2 I/O "
           "timeouts = " +
           secs(decision) + ") must be below the lease (" + secs(t.lease) +
           "), or survivors of a crash would fence themselves";
  }
  // Safety: two hosts can never commit different livesets for one epoch only
  // if a proposal written within commit_window still looks fresh to a reader.
  const Duration freshness_needed = scaled(t.commit_window, 1.0 + env.clock_drift) + t.io_timeout;
  if (freshness_needed >= t.peer_timeout) {
    return "commit_window (" + secs(t.commit_window) + ") with clock drift plus one I/O timeout (" +
           secs(freshness_needed) + ") must be below peer_timeout (" + secs(t.peer_timeout) +
           "): a slow commit could go unseen and two livesets could be committed";
  }
  // Safety: a removed host is stopped by its lease expiry (self-fence, or the
  // watchdog it only kicked while now + watchdog <= lease); survivors wait
  // lease + margin on their own clocks. margin absorbs clock-rate drift over
  // the lease and the time a fence takes to stop every VM.
  const Duration needed_margin = scaled(t.lease, env.clock_drift) + env.fence_latency;
  if (t.margin < needed_margin) {
    return "margin (" + secs(t.margin) +
           ") must cover clock drift over the lease plus the fence "
           "latency (" +
           secs(needed_margin) +
           "): survivors could restart VMs before a removed host has stopped them";
  }
  if (t.boot_wait < t.peer_timeout) {
    return "boot_wait (" + secs(t.boot_wait) + ") must be at least peer_timeout (" +
           secs(t.peer_timeout) + ")";
  }
  return t;
}

}  // namespace poolha::ha

// Daemon CPU and memory in an idle pool of real daemons: a product-shape
// pool with HA enabled, left alone (no API calls while sampling), its
// daemons and fencers sampled from /proc over a window; then, when asked,
// with protected disk-writer VMs running (one per host, round robin), a
// second window on the same pool.
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <vector>

#include "benchpool/report.h"

namespace poolha::benchpool {

struct UsageBenchOptions {
  std::size_t hosts = 3;
  // One window per entry, in this order, each with that many VMs running
  // (0: idle). Must not decrease.
  std::vector<std::size_t> vms_running{0};
  int timeout_seconds = 10;
  double window_seconds = 60;
  double settle_seconds = 10;  // after HA enable or VM starts, before sampling
  std::ostream* progress = nullptr;
  std::filesystem::path kept_work_dir;  // empty: a temporary one, removed
};

// Two rows (daemon, fencer) per window. A failure yields rows with
// `error` set for the windows not measured. localpool::Interrupted
// propagates after the pool is torn down.
std::vector<UsageRow> run_usage_pool(const UsageBenchOptions& options);

}  // namespace poolha::benchpool

// `poolha demo`: a real pool of daemons on this machine, one host's power
// cut, and a live timeline of what the survivors do about it. It creates
// the pool, starts the hosts, enables HA on the heartbeat SR, protects and
// starts the VMs on one host, kills that host, prints each change the
// survivors report with the seconds since the kill, measures the failover
// time (also as a multiple of T), boots the killed host again and shows it
// rejoin. Ctrl-C or any failure tears everything down.
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>

#include "localpool/pool_plan.h"

namespace poolha::localpool {

struct DemoOptions {
  std::size_t hosts = 3;        // 2..16: one must survive
  int ha_timeout_seconds = 10;  // T
  std::size_t vms = 2;          // 1..32, all protected
  VmKind vm_kind = VmKind::kProcess;
  Isolation isolation = Isolation::kLoopback;
  bool keep = false;                    // keep the work directory with its configs and logs
  std::filesystem::path poolha_binary;  // empty: this executable
};

// Returns the exit status: 0 after a measured failover and a rejoin, 1 on
// failure (the reason on `err`), 130 when interrupted.
int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace poolha::localpool

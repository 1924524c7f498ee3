// The failover benchmark on real daemons: one pool of hosts in network
// namespaces (heartbeat SR and VM disks over NBD, disk-writer VMs) and
// repeated trials of one crash kind at one T. Each trial brings the pool to
// "HA enabled, the protected VMs running on the victim", cuts the victim's
// power and times until every one of those VMs acknowledges a record on a
// survivor; then the victim boots again and rejoins, and the next trial
// starts on the same pool. Reusing the pool keeps a trial at about
// failover + rejoin time, where a new pool per trial would add the pool's
// creation and HA enable every time (the row records both costs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ostream>

#include "benchpool/report.h"

namespace poolha::benchpool {

struct FailoverBenchOptions {
  CrashKind crash = CrashKind::kSlave;
  int timeout_seconds = 10;
  std::size_t trials = 20;
  std::size_t hosts = 3;
  std::size_t vms = 2;
  std::ostream* progress = nullptr;     // one line per step when set
  std::filesystem::path kept_work_dir;  // empty: a temporary one, removed
};

// The disk each VM needs so that its writer (10 records a second) cannot
// fill it during the row, with room to spare; at least 16 MiB.
std::uint64_t failover_vm_disk_mib(int timeout_seconds, std::size_t trials);

// Runs the row. Failures (a wait that times out, a survivor that dies, a
// refused command) end the row early: the trials completed so far are
// kept and `error` says what happened. localpool::Interrupted (Ctrl-C)
// propagates after the pool is torn down.
FailoverRow run_failover_row(const FailoverBenchOptions& options);

}  // namespace poolha::benchpool

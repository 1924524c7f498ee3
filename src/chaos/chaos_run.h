// `poolha chaos`: a randomized fault run on a real pool. It builds a pool
// of hosts in network namespaces with NBD storage and disk-writer VMs
// (vms_per_host protected VMs per host, started spread over the hosts),
// enables HA, then injects the seed's faults one at a time
// (chaos_schedule.h), waiting after each until the pool has settled. Each
// fault and the pool's reaction go to `out` as a timeline with seconds since
// the start: the fault, its undo, fences and why, the hosts' views of the
// liveset and the master, VMs restarted and how long after the fault, and
// how long the pool took to settle (or that it did not, within the settle
// timeout). A fenced host (its fencer resets its TCP connections, as a
// machine reset would) boots again after a short pause. At the end every host is stopped, the disk
// oracle judges the VM disks, and a summary line follows:
//
//   chaos: N hosts, K faults, seed S: D double-runs, L lost records, F fences, wall W s
//
// Ctrl-C, SIGTERM and errors tear the pool down and set the wall clock
// back.
#pragma once

#include <ostream>

#include "chaos/chaos_options.h"

namespace poolha::chaos {

// Returns the exit status: 0 when the oracle found no violation, 1 when it
// found one or the run failed, 2 for bad options or a machine that cannot
// run it (the reason on `err`), 130 when interrupted.
int run_chaos(const ChaosOptions& options, std::ostream& out, std::ostream& err);

}  // namespace poolha::chaos

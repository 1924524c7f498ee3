// What the hosts of a chaos pool say about the pool, and whether that
// amounts to a settled pool: every host answers, every host sees every host
// live and the same master, and every protected VM runs. Pure functions of
// the snapshots the observer read, so they are tested without a pool.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "localpool/pool_snapshot.h"

namespace poolha::chaos {

struct HostAnswer {
  std::string host;                                 // the host asked, e.g. "host-2"
  std::optional<localpool::PoolSnapshot> snapshot;  // nullopt: it did not answer
};

// Why the pool is not settled yet, one short phrase each ("host-3 does not
// answer", "host-1 sees host-2 dead", "host-2 names master host-3, host-1
// names host-1", "vm-4 Halted"); empty when it is settled. `hosts` are the
// names of every host of the pool. Without `check_vms`, only membership
// counts (before the VMs are started).
std::vector<std::string> settle_problems(const std::vector<std::string>& hosts,
                                         const std::vector<HostAnswer>& answers,
                                         bool check_vms = true);

// The hosts' views of the liveset and the master, hosts with the same view
// grouped: "liveset host-1 host-2 host-3, master host-1 (seen by all 3)" or
// "... (seen by host-1 host-3) | liveset ... (seen by host-2)". Hosts that
// did not answer are left out; "no host answers" when none did.
std::string describe_views(const std::vector<HostAnswer>& answers);

// The answer of the host that is live in its own view and names itself
// master; else of the first host live in its own view; else the first
// answer; nullptr when none answered. What the VM timeline follows.
const HostAnswer* reference_answer(const std::vector<HostAnswer>& answers);

}  // namespace poolha::chaos

// The simulated pool as records of the pool database: how the failover
// coordinator's view (failover/records.h) and the database the masters
// persist (pool/) map onto each other.
//
// The simulator names hosts by index, the database by uuid, so every index
// has a fixed uuid; those uuids sort in index order, which keeps "index =
// position in the uuid-sorted host list" true for the database's hosts.
// Policy fields the database does not hold (retry intervals, attempts,
// command timeout) are not persisted: a loaded snapshot takes them from the
// defaults the caller passes in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/host_set.h"
#include "failover/pool_mapping.h"
#include "failover/records.h"
#include "pool/change.h"
#include "pool/database.h"
#include "pool/host.h"
#include "pool/vm.h"

namespace poolha::sim {

inline constexpr std::string_view kSimPoolUuid = "00000000-0000-4000-9000-000000000000";
inline constexpr std::string_view kSimHeartbeatSrUuid = "00000000-0000-4000-9000-000000000001";
// What the hypervisor and dom0 keep of a simulated host: its database record
// has this much more memory_total than the coordinator's memory_for_vms.
inline constexpr std::int64_t kSimHostOverheadBytes = std::int64_t{512} << 20;

// "00000000-0000-4000-a000-000000000007" for host 7.
std::string sim_host_uuid(HostIndex host);
// The inverse of sim_host_uuid; kNoHost for "". Any other text is a broken
// invariant (checked): the simulated database holds no other hosts.
HostIndex sim_host_index(std::string_view uuid);

using failover::start_delay_seconds;
using failover::to_plan_status;
using failover::to_pool_fields;

pool::Vm to_pool_vm(const failover::VmRecord& record);
failover::VmRecord to_vm_record(const pool::Vm& vm);

pool::Host to_pool_host(HostIndex index, const failover::HostRecord& record);
// The record's uuid is the database's (sim_host_uuid), whatever name the
// snapshot it came from used.
failover::HostRecord to_host_record(const pool::Host& host);

// The database of a running HA pool: the snapshot's hosts, VMs, policy and
// status, one heartbeat SR holding the statefile, HA enabled, host 0 master.
// The snapshot must have 1..kMaxHosts hosts and values the database accepts
// (checked).
pool::Database to_pool_database(const failover::PoolSnapshot& snapshot);
// The coordinator's view of `db`, which must be a simulated pool's (checked).
failover::PoolSnapshot to_pool_snapshot(const pool::Database& db,
                                        const failover::FailoverPolicy& defaults);

}  // namespace poolha::sim

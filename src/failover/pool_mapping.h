// How the failover logic's records (failover/records.h) and the pool
// database (pool/) map onto each other. The coordinator names hosts by index,
// the database by uuid; a HostDirectory holds the pool's host uuids in
// sorted order, so index = position, as in the statefile. Policy fields the
// database does not hold (retry intervals, attempts, timeouts) are not
// persisted: a loaded snapshot takes them from the defaults the caller gives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_set.h"
#include "failover/records.h"
#include "pool/change.h"
#include "pool/database.h"
#include "pool/pool_record.h"
#include "pool/vm.h"

namespace poolha::failover {

class HostDirectory {
 public:
  // `uuids` sorted, unique and at most kMaxHosts (checked).
  explicit HostDirectory(std::vector<std::string> uuids);
  // The hosts of a database, in its (uuid) order.
  static HostDirectory of(const pool::Database& db);

  std::size_t size() const { return uuids_.size(); }
  // "" for kNoHost.
  std::string uuid(HostIndex host) const;
  // kNoHost for ""; nullopt for a uuid that is not a host of the pool.
  std::optional<HostIndex> index(std::string_view uuid) const;

 private:
  std::vector<std::string> uuids_;
};

// xapi keeps start_delay in whole seconds. A fractional delay is rounded up,
// so the next restart group never starts earlier than asked, and clamped to
// the database's range.
std::int64_t start_delay_seconds(Duration delay);

pool::Vm to_pool_vm(const VmRecord& record, const HostDirectory& hosts);
// Paused counts as running and Suspended as halted: the failover logic only
// knows whether a VM occupies a host. The VM's hosts must be in `hosts`
// (checked; a database never names a host it does not hold).
VmRecord to_vm_record(const pool::Vm& vm, const HostDirectory& hosts);

// The plan fields of the pool record, for a status the coordinator made ready.
pool::SetPoolFields to_pool_fields(const PlanStatus& status);
// The planner's proven maximum is not persisted (xapi does not keep it
// either); the plan's failure count is what it is known to be at least, until
// the new master's planner recomputes it.
PlanStatus to_plan_status(const pool::Pool& record);

// The changes that persist one coordinator Ready's records and status.
std::vector<pool::Change> to_changes(const std::vector<VmRecord>& records,
                                     const std::optional<PlanStatus>& status,
                                     const HostDirectory& hosts);

// What a new master's coordinator starts from.
PoolSnapshot to_pool_snapshot(const pool::Database& db, const FailoverPolicy& defaults);

}  // namespace poolha::failover

// How the failover coordinator's records reach the pool database. The
// daemon implements it over the pool store; tests keep the writes in memory.
// Commands that depend on a write go out only after its `done(true)`, so
// the database on disk never knows less than the hosts were told.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "failover/records.h"

namespace poolha::daemon {

class CoordinatorPersister {
 public:
  using Done = std::function<void(bool ok)>;

  virtual ~CoordinatorPersister() = default;
  // Writes the VM records and plan status of one coordinator Ready as one
  // change. `done` is called exactly once, from any thread, possibly before
  // persist returns; `ok` means the write is durable. Only one write is
  // outstanding at a time; a failed one is offered again later.
  virtual void persist(std::vector<failover::VmRecord> records,
                       std::optional<failover::PlanStatus> status, Done done) = 0;
};

}  // namespace poolha::daemon

// What the API needs from the daemon. Reads come from a consistent snapshot
// of the pool database plus live facts only the HA layer knows; every
// mutation is one explicit, asynchronous action whose Reply the daemon calls
// once the outcome is final (for a change to the pool database: after it has
// been persisted to the heartbeat SR). The dispatcher calls all of these on
// the daemon's event loop, and the daemon calls every Reply there too.
//
// The dispatcher has already checked the request itself (types, references,
// values) before calling a mutation; the backend checks the state of the pool
// (HA on or off, power states, capacity, the failover plan) and answers with
// the XenAPI error xapi would raise (api/xenapi_errors.h lists the usual ones).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/outcome.h"
#include "pool/database.h"
#include "pool/restart_priority.h"

namespace poolha::api {

// Where this host stands in the pool right now.
struct HostRole {
  std::string local_host_uuid;
  bool is_master = false;
  // The master's management address; empty while no master is known.
  std::string master_address;
  // On a slave: whether read calls may be answered from this host's copy of
  // the database. Mutations never run on a slave.
  bool serves_reads = false;
};

// What the HA layer knows about one host beyond the database.
struct HostHaState {
  bool live = false;
  std::vector<std::string> statefile_srs;  // uuids of the heartbeat SRs it can reach
  std::vector<std::string> network_peers;  // uuids of the hosts it hears heartbeats from
};

struct EnableHaRequest {
  std::vector<std::string> heartbeat_sr_uuids;
  // As given; a "timeout" entry has already been checked to parse.
  std::map<std::string, std::string> configuration;
};

struct StartVmRequest {
  std::string vm_uuid;
  std::optional<std::string> host_uuid;  // VM.start_on; the backend picks a host for VM.start
  bool start_paused = false;
  bool force = false;
};

class PoolBackend {
 public:
  virtual ~PoolBackend() = default;

  // ---- reads -------------------------------------------------------------
  virtual HostRole role() const = 0;
  // Never null.
  virtual std::shared_ptr<const pool::Database> database() const = 0;
  // nullopt when HA has nothing to add (HA off, unknown host): the API then
  // shows the database's `live` and no statefiles or peers.
  virtual std::optional<HostHaState> host_ha_state(std::string_view host_uuid) const = 0;
  // The planner's answers for the current pool.
  virtual std::int64_t max_host_failures_to_tolerate() const = 0;
  virtual bool failover_plan_exists(std::int64_t host_failures) const = 0;

  // ---- pool mutations (run on the master) --------------------------------
  virtual void enable_ha(EnableHaRequest request, Reply done) = 0;
  virtual void disable_ha(Reply done) = 0;
  virtual void set_ha_host_failures_to_tolerate(std::int64_t value, Reply done) = 0;
  virtual void set_ha_allow_overcommit(bool value, Reply done) = 0;

  virtual void start_vm(StartVmRequest request, Reply done) = 0;
  virtual void clean_shutdown_vm(std::string vm_uuid, Reply done) = 0;
  virtual void hard_shutdown_vm(std::string vm_uuid, Reply done) = 0;
  virtual void set_vm_ha_restart_priority(std::string vm_uuid, pool::RestartPriority priority,
                                          Reply done) = 0;
  virtual void set_vm_order(std::string vm_uuid, std::int64_t order, Reply done) = 0;
  virtual void set_vm_start_delay(std::string vm_uuid, std::int64_t seconds, Reply done) = 0;

  virtual void disable_host(std::string host_uuid, Reply done) = 0;
  virtual void enable_host(std::string host_uuid, Reply done) = 0;
  virtual void evacuate_host(std::string host_uuid, Reply done) = 0;

  // ---- this host only (run wherever the call arrives, master or not) -----
  // Host.emergency_ha_disable: stop HA on this host without the pool, e.g. a
  // host that cannot reach the statefile. `soft`: only until the next reboot.
  virtual void emergency_ha_disable(bool soft, Reply done) = 0;
  // Host.ha_disarm_fencing: this host will no longer fence itself.
  virtual void ha_disarm_fencing(Reply done) = 0;
};

}  // namespace poolha::api

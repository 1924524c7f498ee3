// The failover logic's view of the pool database: the fields of VMs, hosts
// and the pool it reads and writes. The master's shell converts to and from
// the pool database, persisting every VmRecord it is handed before acting.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/host_set.h"
#include "common/time.h"

namespace poolha::failover {

enum class RestartPriority : std::uint8_t { kUnprotected, kBestEffort, kRestart };
enum class VmPower : std::uint8_t { kHalted, kRunning };

struct VmRecord {
  std::string uuid;
  std::string name;
  std::uint64_t memory = 0;  // bytes
  RestartPriority priority = RestartPriority::kUnprotected;
  std::int64_t order = 0;   // restart groups, ascending; negative sorts last
  Duration start_delay{};   // the next group waits this long after this VM started
  bool always_run = false;  // set by a start through the API, cleared by a shutdown
  bool agile = true;        // can run on any host (its disks are on shared SRs)
  VmPower power = VmPower::kHalted;
  HostIndex resident_on = kNoHost;   // while running
  HostIndex scheduled_on = kNoHost;  // a start was sent to this host, no result yet

  bool is_protected() const { return always_run && priority == RestartPriority::kRestart; }
  bool operator==(const VmRecord&) const = default;
};

struct HostRecord {
  std::string uuid;
  std::uint64_t memory_for_vms = 0;  // total minus the hypervisor's own share
  bool enabled = true;               // disabled hosts take no new VMs
};

struct FailoverPolicy {
  bool restart_on_internal_shutdown = true;
  std::uint32_t failures_to_tolerate = 0;  // the operator's target
  bool allow_overcommit = false;
  Duration retry_interval = 30s;    // between attempts to start the same VM
  std::uint32_t max_attempts = 10;  // then give up until the liveset changes
  Duration best_effort_retry_interval = 20s;
  std::uint32_t best_effort_attempts = 3;
  Duration command_resend = 10s;    // an unanswered command goes again (hosts run it once)
  Duration command_timeout = 5min;  // no answer by then: a report showing its effect settles it
  // After a liveset change, restarts wait up to this long for every live host
  // to report, so they are placed knowing the whole pool.
  Duration report_wait = 10s;
};

// The pool's HA plan fields as persisted. The target sits here too, so a
// change of target is written to the database like any other status change.
struct PlanStatus {
  std::uint32_t failures_to_tolerate = 0;  // the operator's target
  std::uint32_t plan_exists_for = 0;
  bool overcommitted = false;
  std::uint32_t max_failures = 0;  // what the planner proved
  bool operator==(const PlanStatus&) const = default;
};

// Everything the coordinator starts from when a host becomes master.
struct PoolSnapshot {
  std::vector<HostRecord> hosts;  // by host index
  std::map<std::string, VmRecord> vms;
  FailoverPolicy policy;
  PlanStatus status;
};

}  // namespace poolha::failover

// What an observer of a running pool cares about during a failover, read
// from one host's API: which hosts are live, who is master, where each VM
// runs. Two snapshots in a row give the lines of a timeline ("host-2 marked
// dead", "vm-1 running on host-3").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "xe/api_client.h"

namespace poolha::localpool {

struct HostState {
  std::string name;
  bool live = false;
};

struct VmState {
  std::string name;
  std::string power_state;   // "Running", "Halted", ...
  std::string resident_on;   // host name; empty when none
  std::string scheduled_on;  // host name a start is placing it on; empty when none
  std::string restart_priority;
};

struct PoolSnapshot {
  std::string master;                      // host name; empty when none is known
  std::map<std::string, HostState> hosts;  // by uuid
  std::map<std::string, VmState> vms;      // by uuid
};

// Builds a snapshot from get_all_records answers of the pool, host and VM
// classes. Host references are resolved through the host records; a
// reference to no known host is shown as the reference itself.
PoolSnapshot snapshot_from_records(const std::vector<xe::ObjectRecord>& pools,
                                   const std::vector<xe::ObjectRecord>& hosts,
                                   const std::vector<xe::ObjectRecord>& vms);

// Reads the three classes through `client`. Throws what ApiClient throws.
PoolSnapshot read_snapshot(xe::ApiClient& client);

// One line per change from `before` to `after`, hosts first, then VMs.
std::vector<std::string> describe_changes(const PoolSnapshot& before, const PoolSnapshot& after);

// Whether every VM with ha-restart-priority "restart" runs on one of `hosts`
// (names). False when there is no such VM.
bool protected_vms_run_on(const PoolSnapshot& snapshot, const std::vector<std::string>& hosts);

}  // namespace poolha::localpool

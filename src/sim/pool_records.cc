#include "sim/pool_records.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>
#include <vector>

#include "common/check.h"
#include "pool/field_rules.h"

namespace poolha::sim {
namespace {

constexpr std::string_view kHostUuidPrefix = "00000000-0000-4000-a000-";
constexpr std::size_t kHostUuidDigits = 12;

// POOLHA_CHECK takes a fixed message; the database's error says which field.
void check_accepted(const pool::Status& status, const char* what) {
  if (!status) std::fprintf(stderr, "poolha: %s\n", status.error().message().c_str());
  POOLHA_CHECK(status.ok(), what);
}

std::int64_t database_bytes(std::uint64_t bytes) {
  POOLHA_CHECK(bytes <= static_cast<std::uint64_t>(pool::kMaxMemoryBytes),
               "a memory size the pool database can hold (at most 4 PiB)");
  return static_cast<std::int64_t>(bytes);
}

// Every host a simulated pool can have; the uuids sort in index order.
const failover::HostDirectory& sim_hosts() {
  static const failover::HostDirectory directory = [] {
    std::vector<std::string> uuids;
    for (std::size_t h = 0; h < kMaxHosts; ++h)
      uuids.push_back(sim_host_uuid(static_cast<HostIndex>(h)));
    return failover::HostDirectory(std::move(uuids));
  }();
  return directory;
}

}  // namespace

std::string sim_host_uuid(HostIndex host) {
  POOLHA_CHECK(host < kMaxHosts, "a host of a pool");
  return fmt::format("{}{:0{}d}", kHostUuidPrefix, host, kHostUuidDigits);
}

HostIndex sim_host_index(std::string_view uuid) {
  if (uuid.empty()) return kNoHost;
  POOLHA_CHECK(
      uuid.size() == kHostUuidPrefix.size() + kHostUuidDigits && uuid.starts_with(kHostUuidPrefix),
      "a host uuid of the simulated pool");
  const std::string_view digits = uuid.substr(kHostUuidPrefix.size());
  unsigned index = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  POOLHA_CHECK(ec == std::errc() && end == digits.data() + digits.size() && index < kMaxHosts,
               "a host uuid of the simulated pool");
  return static_cast<HostIndex>(index);
}

pool::Vm to_pool_vm(const failover::VmRecord& record) {
  return failover::to_pool_vm(record, sim_hosts());
}

failover::VmRecord to_vm_record(const pool::Vm& vm) {
  // The simulated pool writes only these two; a VM's domain never pauses there.
  POOLHA_CHECK(
      vm.power_state == pool::PowerState::kRunning || vm.power_state == pool::PowerState::kHalted,
      "a simulated VM is Running or Halted");
  return failover::to_vm_record(vm, sim_hosts());
}

pool::Host to_pool_host(HostIndex index, const failover::HostRecord& record) {
  pool::Host host;
  host.uuid = sim_host_uuid(index);
  host.name_label = fmt::format("h{}", index);
  host.memory_overhead = kSimHostOverheadBytes;
  host.memory_total = database_bytes(record.memory_for_vms) + kSimHostOverheadBytes;
  host.enabled = record.enabled;
  return host;
}

failover::HostRecord to_host_record(const pool::Host& host) {
  return failover::HostRecord{host.uuid,
                              static_cast<std::uint64_t>(host.memory_total - host.memory_overhead),
                              host.enabled};
}

pool::Database to_pool_database(const failover::PoolSnapshot& snapshot) {
  POOLHA_CHECK(!snapshot.hosts.empty() && snapshot.hosts.size() <= kMaxHosts,
               "a simulated pool has 1..kMaxHosts hosts");
  std::vector<pool::Host> hosts;
  for (std::size_t h = 0; h < snapshot.hosts.size(); ++h) {
    hosts.push_back(to_pool_host(static_cast<HostIndex>(h), snapshot.hosts[h]));
  }
  pool::Sr heartbeat;
  heartbeat.uuid = kSimHeartbeatSrUuid;
  heartbeat.name_label = "heartbeat SR";
  heartbeat.type = "lvmoiscsi";
  heartbeat.shared = true;
  heartbeat.heartbeat = true;
  std::vector<pool::Vm> vms;
  for (const auto& [uuid, record] : snapshot.vms) {
    POOLHA_CHECK(uuid == record.uuid, "VM records are keyed by their uuid");
    vms.push_back(to_pool_vm(record));
  }
  pool::Pool record;
  record.uuid = kSimPoolUuid;
  record.name_label = "simulated pool";
  record.master = sim_host_uuid(0);
  record.ha_enabled = true;
  record.ha_statefiles = {heartbeat.uuid};
  record.ha_host_failures_to_tolerate = snapshot.policy.failures_to_tolerate;
  record.ha_allow_overcommit = snapshot.policy.allow_overcommit;
  record.ha_reboot_vm_on_internal_shutdown = snapshot.policy.restart_on_internal_shutdown;
  record.ha_plan_exists_for = snapshot.status.plan_exists_for;
  record.ha_overcommitted = snapshot.status.overcommitted;
  pool::Result<pool::Database> db = pool::Database::from_records(
      std::move(record), std::move(hosts), {std::move(heartbeat)}, std::move(vms));
  if (!db) check_accepted(db.error(), "the simulated pool is a valid database");
  return std::move(db).value();
}

failover::PoolSnapshot to_pool_snapshot(const pool::Database& db,
                                        const failover::FailoverPolicy& defaults) {
  POOLHA_CHECK(db.pool().uuid == kSimPoolUuid, "the database of the simulated pool");
  HostIndex expected = 0;
  for (const auto& [uuid, host] : db.hosts()) {
    POOLHA_CHECK(sim_host_index(uuid) == expected++,
                 "the simulated pool's hosts are numbered 0..n-1 without a gap");
  }
  return failover::to_pool_snapshot(db, defaults);
}

}  // namespace poolha::sim

#include "failover/pool_mapping.h"

#include <algorithm>
#include <cstdio>

#include "common/check.h"
#include "pool/field_rules.h"

namespace poolha::failover {
namespace {

pool::RestartPriority to_pool_priority(RestartPriority priority) {
  switch (priority) {
    case RestartPriority::kUnprotected:
      return pool::RestartPriority::kUnprotected;
    case RestartPriority::kBestEffort:
      return pool::RestartPriority::kBestEffort;
    case RestartPriority::kRestart:
      return pool::RestartPriority::kRestart;
  }
  POOLHA_CHECK(false, "a restart priority the database knows");
  return pool::RestartPriority::kUnprotected;  // not reached
}

RestartPriority to_failover_priority(pool::RestartPriority priority) {
  switch (priority) {
    case pool::RestartPriority::kUnprotected:
      return RestartPriority::kUnprotected;
    case pool::RestartPriority::kBestEffort:
      return RestartPriority::kBestEffort;
    case pool::RestartPriority::kRestart:
      return RestartPriority::kRestart;
  }
  POOLHA_CHECK(false, "a restart priority the coordinator knows");
  return RestartPriority::kUnprotected;  // not reached
}

std::int64_t database_bytes(std::uint64_t bytes) {
  POOLHA_CHECK(bytes <= static_cast<std::uint64_t>(pool::kMaxMemoryBytes),
               "a memory size the pool database can hold (at most 4 PiB)");
  return static_cast<std::int64_t>(bytes);
}

HostIndex known_host(const HostDirectory& hosts, const std::string& uuid) {
  const std::optional<HostIndex> index = hosts.index(uuid);
  POOLHA_CHECK(index.has_value(), "a VM names only hosts of its pool");
  return *index;
}

bool occupies_host(pool::PowerState state) {
  return state == pool::PowerState::kRunning || state == pool::PowerState::kPaused;
}

}  // namespace

HostDirectory::HostDirectory(std::vector<std::string> uuids) : uuids_(std::move(uuids)) {
  POOLHA_CHECK(uuids_.size() <= kMaxHosts, "a pool has at most kMaxHosts hosts");
  POOLHA_CHECK(std::adjacent_find(uuids_.begin(), uuids_.end(),
                                  [](const std::string& a, const std::string& b) {
                                    return !(a < b);
                                  }) == uuids_.end(),
               "host uuids sorted and unique");
}

HostDirectory HostDirectory::of(const pool::Database& db) {
  std::vector<std::string> uuids;
  for (const auto& [uuid, host] : db.hosts()) uuids.push_back(uuid);
  return HostDirectory(std::move(uuids));
}

std::string HostDirectory::uuid(HostIndex host) const {
  if (host == kNoHost) return {};
  POOLHA_CHECK(host < uuids_.size(), "a host index of the pool");
  return uuids_[host];
}

std::optional<HostIndex> HostDirectory::index(std::string_view uuid) const {
  if (uuid.empty()) return kNoHost;
  const auto it = std::lower_bound(uuids_.begin(), uuids_.end(), uuid);
  if (it == uuids_.end() || *it != uuid) return std::nullopt;
  return static_cast<HostIndex>(it - uuids_.begin());
}

std::int64_t start_delay_seconds(Duration delay) {
  constexpr std::int64_t kMicrosPerSecond = 1'000'000;
  if (delay <= Duration::zero()) return 0;
  const std::int64_t micros =
      std::min<std::int64_t>(delay.count(), pool::kMaxStartDelaySeconds * kMicrosPerSecond);
  return (micros + kMicrosPerSecond - 1) / kMicrosPerSecond;
}

pool::Vm to_pool_vm(const VmRecord& record, const HostDirectory& hosts) {
  pool::Vm vm;
  vm.uuid = record.uuid;
  vm.name_label = record.name;
  vm.power_state =
      record.power == VmPower::kRunning ? pool::PowerState::kRunning : pool::PowerState::kHalted;
  vm.resident_on = hosts.uuid(record.resident_on);
  vm.scheduled_to_be_resident_on = hosts.uuid(record.scheduled_on);
  vm.memory_static_max = database_bytes(record.memory);
  vm.ha_restart_priority = to_pool_priority(record.priority);
  vm.order = record.order;
  vm.start_delay = start_delay_seconds(record.start_delay);
  vm.ha_always_run = record.always_run;
  vm.agile = record.agile;
  return vm;
}

VmRecord to_vm_record(const pool::Vm& vm, const HostDirectory& hosts) {
  VmRecord record;
  record.uuid = vm.uuid;
  record.name = vm.name_label;
  record.memory = static_cast<std::uint64_t>(vm.memory_static_max);
  record.priority = to_failover_priority(vm.ha_restart_priority);
  record.order = vm.order;
  record.start_delay = std::chrono::seconds(vm.start_delay);
  record.always_run = vm.ha_always_run;
  record.agile = vm.agile;
  record.power = occupies_host(vm.power_state) ? VmPower::kRunning : VmPower::kHalted;
  record.resident_on = known_host(hosts, vm.resident_on);
  record.scheduled_on = known_host(hosts, vm.scheduled_to_be_resident_on);
  return record;
}

pool::SetPoolFields to_pool_fields(const PlanStatus& status) {
  pool::SetPoolFields fields;
  fields.ha_host_failures_to_tolerate = status.failures_to_tolerate;
  fields.ha_plan_exists_for = status.plan_exists_for;
  fields.ha_overcommitted = status.overcommitted;
  return fields;
}

PlanStatus to_plan_status(const pool::Pool& record) {
  PlanStatus status;
  status.failures_to_tolerate = static_cast<std::uint32_t>(record.ha_host_failures_to_tolerate);
  status.plan_exists_for = static_cast<std::uint32_t>(record.ha_plan_exists_for);
  status.overcommitted = record.ha_overcommitted;
  status.max_failures = status.plan_exists_for;
  return status;
}

std::vector<pool::Change> to_changes(const std::vector<VmRecord>& records,
                                     const std::optional<PlanStatus>& status,
                                     const HostDirectory& hosts) {
  std::vector<pool::Change> changes;
  for (const VmRecord& record : records) {
    changes.emplace_back(pool::UpsertVm{to_pool_vm(record, hosts)});
  }
  if (status) changes.emplace_back(to_pool_fields(*status));
  return changes;
}

PoolSnapshot to_pool_snapshot(const pool::Database& db, const FailoverPolicy& defaults) {
  const HostDirectory hosts = HostDirectory::of(db);
  PoolSnapshot snapshot;
  for (const auto& [uuid, host] : db.hosts()) {
    snapshot.hosts.push_back(HostRecord{
        uuid, static_cast<std::uint64_t>(host.memory_total - host.memory_overhead), host.enabled});
  }
  for (const auto& [uuid, vm] : db.vms()) snapshot.vms.emplace(uuid, to_vm_record(vm, hosts));
  const pool::Pool& record = db.pool();
  snapshot.policy = defaults;
  snapshot.policy.failures_to_tolerate =
      static_cast<std::uint32_t>(record.ha_host_failures_to_tolerate);
  snapshot.policy.allow_overcommit = record.ha_allow_overcommit;
  snapshot.policy.restart_on_internal_shutdown = record.ha_reboot_vm_on_internal_shutdown;
  snapshot.status = to_plan_status(record);
  return snapshot;
}

}  // namespace poolha::failover

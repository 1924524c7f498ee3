#include "pool/database.h"

#include <fmt/format.h>
#include <algorithm>
#include <limits>
#include <utility>

#include "pool/field_rules.h"

namespace poolha::pool {
namespace {

Error error(ErrorCode code, std::string detail) {
  return Error{code, std::move(detail)};
}

bool is_statefile(const Pool& pool, std::string_view sr_uuid) {
  return std::find(pool.ha_statefiles.begin(), pool.ha_statefiles.end(), sr_uuid) !=
         pool.ha_statefiles.end();
}

// The pool record after `fields`, with the timeout rule of SetPoolFields.
Result<Pool> merge_pool_fields(const Pool& current, const SetPoolFields& fields) {
  Pool next = current;
  if (fields.name_label) next.name_label = *fields.name_label;
  if (fields.master) next.master = *fields.master;
  if (fields.ha_enabled) next.ha_enabled = *fields.ha_enabled;
  if (fields.ha_configuration) next.ha_configuration = *fields.ha_configuration;
  if (fields.ha_timeout) next.ha_timeout = *fields.ha_timeout;
  if (fields.ha_host_failures_to_tolerate) {
    next.ha_host_failures_to_tolerate = *fields.ha_host_failures_to_tolerate;
  }
  if (fields.ha_plan_exists_for) next.ha_plan_exists_for = *fields.ha_plan_exists_for;
  if (fields.ha_overcommitted) next.ha_overcommitted = *fields.ha_overcommitted;
  if (fields.ha_allow_overcommit) next.ha_allow_overcommit = *fields.ha_allow_overcommit;
  if (fields.ha_reboot_vm_on_internal_shutdown) {
    next.ha_reboot_vm_on_internal_shutdown = *fields.ha_reboot_vm_on_internal_shutdown;
  }
  if (fields.ha_statefiles) next.ha_statefiles = *fields.ha_statefiles;

  if (fields.ha_configuration) {
    const auto it = fields.ha_configuration->find(kHaConfigTimeoutKey);
    if (it != fields.ha_configuration->end()) {
      Result<std::int64_t> timeout = parse_ha_timeout(it->second);
      if (!timeout) return timeout.error();
      if (fields.ha_timeout && *fields.ha_timeout != timeout.value()) {
        return error(ErrorCode::kInvalidValue,
                     fmt::format("ha_timeout {} disagrees with ha_configuration timeout {}",
                                 *fields.ha_timeout, it->second));
      }
      next.ha_timeout = timeout.value();
    }
  }
  // Out-of-range timeouts are reported by check_fields(Pool) as such; do not
  // mirror them into the map first.
  if ((fields.ha_configuration || fields.ha_timeout) && next.ha_timeout >= 1 &&
      next.ha_timeout <= kMaxHaTimeoutSeconds) {
    next.ha_configuration[kHaConfigTimeoutKey] = std::to_string(next.ha_timeout);
  }
  return next;
}

}  // namespace

Database::Database(std::string pool_uuid, std::string name_label) {
  pool_.uuid = std::move(pool_uuid);
  pool_.name_label = std::move(name_label);
  POOLHA_CHECK(check_fields(pool_).ok(), "new database with an invalid pool uuid or name");
}

Result<Database> Database::from_records(Pool pool, std::vector<Host> hosts, std::vector<Sr> srs,
                                        std::vector<Vm> vms) {
  Database db;
  if (Status s = check_fields(pool); !s) return s.error();
  for (Host& host : hosts) {
    if (Status s = check_fields(host); !s) return s.error();
    const std::string uuid = host.uuid;
    if (!db.hosts_.emplace(uuid, std::move(host)).second) {
      return error(ErrorCode::kInvalidValue, fmt::format("host {} appears twice", uuid));
    }
  }
  for (Sr& sr : srs) {
    if (Status s = check_fields(sr); !s) return s.error();
    const std::string uuid = sr.uuid;
    if (!db.srs_.emplace(uuid, std::move(sr)).second) {
      return error(ErrorCode::kInvalidValue, fmt::format("SR {} appears twice", uuid));
    }
  }
  for (Vm& vm : vms) {
    if (Status s = check_fields(vm); !s) return s.error();
    if (Status s = db.check_vm_placement(vm); !s) return s.error();
    const std::string uuid = vm.uuid;
    auto [it, inserted] = db.vms_.emplace(uuid, std::move(vm));
    if (!inserted) return error(ErrorCode::kInvalidValue, fmt::format("VM {} appears twice", uuid));
    db.index_vm(it->second);
  }
  if (Status s = db.check_pool_references(pool); !s) return s.error();
  db.pool_ = std::move(pool);
  db.assert_invariants();
  return db;
}

const Host* Database::find_host(std::string_view uuid) const {
  const auto it = hosts_.find(uuid);
  return it == hosts_.end() ? nullptr : &it->second;
}

const Sr* Database::find_sr(std::string_view uuid) const {
  const auto it = srs_.find(uuid);
  return it == srs_.end() ? nullptr : &it->second;
}

const Vm* Database::find_vm(std::string_view uuid) const {
  const auto it = vms_.find(uuid);
  return it == vms_.end() ? nullptr : &it->second;
}

std::vector<const Vm*> Database::vms_occupying(std::string_view host_uuid) const {
  std::vector<const Vm*> out;
  const auto it = occupants_.find(host_uuid);
  if (it == occupants_.end()) return out;
  out.reserve(it->second.size());
  for (const std::string& vm_uuid : it->second) {
    const Vm* vm = find_vm(vm_uuid);
    POOLHA_CHECK(vm != nullptr, "occupancy index names a missing VM");
    out.push_back(vm);
  }
  return out;
}

std::int64_t Database::free_memory(std::string_view host_uuid) const {
  const Host* host = find_host(host_uuid);
  POOLHA_CHECK(host != nullptr, "free_memory of an unknown host");
  std::int64_t free = host->memory_total - host->memory_overhead;
  for (const Vm* vm : vms_occupying(host_uuid)) {
    // Only reachable with thousands of 4 PiB VMs on one host; saturate.
    if (__builtin_sub_overflow(free, vm->memory_static_max, &free)) {
      return std::numeric_limits<std::int64_t>::min();
    }
  }
  return free;
}

Status Database::check(const Change& change) const {
  return std::visit([this](const auto& c) { return check_one(c); }, change);
}

Status Database::apply(const Change& change) {
  if (Status s = check(change); !s) return s;
  std::visit([this](const auto& c) { apply_one(c); }, change);
  return {};
}

// ---------------------------------------------------------------------------
// Validation

Status Database::check_vm_placement(const Vm& vm) const {
  if (!vm.resident_on.empty() && find_host(vm.resident_on) == nullptr) {
    return error(ErrorCode::kDanglingReference,
                 fmt::format("VM {} resident on unknown host {}", vm.uuid, vm.resident_on));
  }
  if (!vm.scheduled_to_be_resident_on.empty() &&
      find_host(vm.scheduled_to_be_resident_on) == nullptr) {
    return error(ErrorCode::kDanglingReference,
                 fmt::format("VM {} scheduled to be resident on unknown host {}", vm.uuid,
                             vm.scheduled_to_be_resident_on));
  }
  return {};
}

Status Database::check_pool_references(const Pool& pool) const {
  if (!pool.master.empty() && find_host(pool.master) == nullptr) {
    return error(ErrorCode::kDanglingReference,
                 fmt::format("pool master is unknown host {}", pool.master));
  }
  for (const std::string& sr_uuid : pool.ha_statefiles) {
    const Sr* sr = find_sr(sr_uuid);
    if (sr == nullptr) {
      return error(ErrorCode::kDanglingReference,
                   fmt::format("ha_statefiles names unknown SR {}", sr_uuid));
    }
    if (!sr->heartbeat) {
      return error(ErrorCode::kDanglingReference,
                   fmt::format("ha_statefiles names SR {}, which is not a heartbeat SR", sr_uuid));
    }
  }
  return {};
}

Status Database::check_one(const UpsertHost& change) const {
  return check_fields(change.host);
}

Status Database::check_one(const RemoveHost& change) const {
  if (find_host(change.uuid) == nullptr) {
    return error(ErrorCode::kUnknownUuid, fmt::format("no host {}", change.uuid));
  }
  if (pool_.master == change.uuid) {
    return error(ErrorCode::kStillReferenced,
                 fmt::format("host {} is the pool master", change.uuid));
  }
  if (occupants_.contains(change.uuid)) {
    return error(ErrorCode::kStillReferenced,
                 fmt::format("host {} has resident VMs or VMs starting on it", change.uuid));
  }
  return {};
}

Status Database::check_one(const UpsertSr& change) const {
  if (Status s = check_fields(change.sr); !s) return s;
  if (!change.sr.heartbeat && is_statefile(pool_, change.sr.uuid)) {
    return error(
        ErrorCode::kStillReferenced,
        fmt::format("SR {} holds the HA statefile; it must stay a heartbeat SR", change.sr.uuid));
  }
  return {};
}

Status Database::check_one(const RemoveSr& change) const {
  if (find_sr(change.uuid) == nullptr) {
    return error(ErrorCode::kUnknownUuid, fmt::format("no SR {}", change.uuid));
  }
  if (is_statefile(pool_, change.uuid)) {
    return error(ErrorCode::kStillReferenced,
                 fmt::format("SR {} holds the HA statefile", change.uuid));
  }
  return {};
}

Status Database::check_one(const UpsertVm& change) const {
  if (Status s = check_fields(change.vm); !s) return s;
  return check_vm_placement(change.vm);
}

Status Database::check_one(const RemoveVm& change) const {
  if (find_vm(change.uuid) == nullptr) {
    return error(ErrorCode::kUnknownUuid, fmt::format("no VM {}", change.uuid));
  }
  return {};
}

Status Database::check_one(const SetPoolFields& change) const {
  Result<Pool> next = merge_pool_fields(pool_, change);
  if (!next) return next.error();
  if (Status s = check_fields(next.value()); !s) return s;
  return check_pool_references(next.value());
}

// ---------------------------------------------------------------------------
// Mutation (after validation)

void Database::apply_one(const UpsertHost& change) {
  hosts_.insert_or_assign(change.host.uuid, change.host);
}

void Database::apply_one(const RemoveHost& change) {
  hosts_.erase(hosts_.find(change.uuid));
  POOLHA_CHECK(!occupants_.contains(change.uuid), "removed a host that VMs still occupy");
  POOLHA_CHECK(pool_.master != change.uuid, "removed the pool master");
}

void Database::apply_one(const UpsertSr& change) {
  srs_.insert_or_assign(change.sr.uuid, change.sr);
  POOLHA_CHECK(change.sr.heartbeat || !is_statefile(pool_, change.sr.uuid),
               "a statefile SR stopped being a heartbeat SR");
}

void Database::apply_one(const RemoveSr& change) {
  srs_.erase(srs_.find(change.uuid));
  POOLHA_CHECK(!is_statefile(pool_, change.uuid), "removed a statefile SR");
}

void Database::apply_one(const UpsertVm& change) {
  if (const auto it = vms_.find(change.vm.uuid); it != vms_.end()) {
    unindex_vm(it->second);
    it->second = change.vm;
  } else {
    vms_.emplace(change.vm.uuid, change.vm);
  }
  index_vm(change.vm);
  assert_vm_placement(change.vm);
}

void Database::apply_one(const RemoveVm& change) {
  const auto it = vms_.find(change.uuid);
  unindex_vm(it->second);
  vms_.erase(it);
}

void Database::apply_one(const SetPoolFields& change) {
  Result<Pool> next = merge_pool_fields(pool_, change);
  POOLHA_CHECK(next.ok(), "applying a pool change that failed its check");
  pool_ = std::move(next).value();
  POOLHA_CHECK(check_pool_references(pool_).ok(), "pool references a missing host or SR");
}

void Database::index_vm(const Vm& vm) {
  const std::string& host = memory_host(vm);
  if (!host.empty()) occupants_[host].insert(vm.uuid);
}

void Database::unindex_vm(const Vm& vm) {
  const std::string& host = memory_host(vm);
  if (host.empty()) return;
  const auto it = occupants_.find(host);
  POOLHA_CHECK(it != occupants_.end() && it->second.erase(vm.uuid) == 1,
               "occupancy index lost a VM");
  if (it->second.empty()) occupants_.erase(it);
}

// ---------------------------------------------------------------------------
// Invariants

void Database::assert_vm_placement(const Vm& vm) const {
  // Running and Paused VMs always have a resident host (field rule); it must exist.
  POOLHA_CHECK(vm.resident_on.empty() || find_host(vm.resident_on) != nullptr,
               "a VM is resident on a host that does not exist");
  POOLHA_CHECK(vm.scheduled_to_be_resident_on.empty() ||
                   find_host(vm.scheduled_to_be_resident_on) != nullptr,
               "a VM is scheduled to be resident on a host that does not exist");
  if (const std::string& host = memory_host(vm); !host.empty()) {
    const auto it = occupants_.find(host);
    POOLHA_CHECK(it != occupants_.end() && it->second.contains(vm.uuid),
                 "occupancy index misses a VM");
  }
}

void Database::assert_invariants() const {
  POOLHA_CHECK(check_fields(pool_).ok(), "pool record breaks a field rule");
  POOLHA_CHECK(check_pool_references(pool_).ok(), "pool references a missing host or SR");
  for (const auto& [uuid, host] : hosts_) {
    POOLHA_CHECK(uuid == host.uuid, "host stored under another uuid");
    POOLHA_CHECK(check_fields(host).ok(), "host breaks a field rule");
  }
  for (const auto& [uuid, sr] : srs_) {
    POOLHA_CHECK(uuid == sr.uuid, "SR stored under another uuid");
    POOLHA_CHECK(check_fields(sr).ok(), "SR breaks a field rule");
  }
  std::size_t occupying = 0;
  for (const auto& [uuid, vm] : vms_) {
    POOLHA_CHECK(uuid == vm.uuid, "VM stored under another uuid");
    POOLHA_CHECK(check_fields(vm).ok(), "VM breaks a field rule");
    assert_vm_placement(vm);
    if (!memory_host(vm).empty()) ++occupying;
  }
  std::size_t indexed = 0;
  for (const auto& [host_uuid, vm_uuids] : occupants_) {
    POOLHA_CHECK(!vm_uuids.empty(), "occupancy index keeps an empty entry");
    indexed += vm_uuids.size();
  }
  POOLHA_CHECK(indexed == occupying, "occupancy index holds VMs that do not occupy a host");
}

bool operator==(const Database& a, const Database& b) {
  // occupants_ is derived from vms_.
  return a.pool_ == b.pool_ && a.hosts_ == b.hosts_ && a.srs_ == b.srs_ && a.vms_ == b.vms_;
}

}  // namespace poolha::pool

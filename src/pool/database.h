// The pool database: the pool record, hosts, SRs and VMs, and the rules that
// hold between them. It is a plain value with no I/O. Every copy (the
// master's, a slave's emergency copy) changes only through apply(), which
// validates a Change completely before touching anything, so a rejected
// change leaves the database as it was.
//
// Only the master originates changes: it does so through a MetadataLogWriter
// (pool/metadata_log_writer.h), which needs a MasterToken and persists each
// change before applying it. Other holders apply changes the master has
// already persisted.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pool/change.h"
#include "pool/error.h"
#include "pool/host.h"
#include "pool/pool_record.h"
#include "pool/sr.h"
#include "pool/vm.h"

namespace poolha::pool {

// Records by uuid; iteration is in uuid order, which keeps snapshots and
// planner inputs deterministic.
template <typename Record>
using RecordMap = std::map<std::string, Record, std::less<>>;

class Database {
 public:
  // An empty pool: no hosts, SRs or VMs, no master, HA off, default settings.
  // The uuid must be valid (checked).
  explicit Database(std::string pool_uuid, std::string name_label = {});

  // A whole database, e.g. decoded from a snapshot, with every rule checked.
  static Result<Database> from_records(Pool pool, std::vector<Host> hosts, std::vector<Sr> srs,
                                       std::vector<Vm> vms);

  const Pool& pool() const { return pool_; }
  const RecordMap<Host>& hosts() const { return hosts_; }
  const RecordMap<Sr>& srs() const { return srs_; }
  const RecordMap<Vm>& vms() const { return vms_; }

  // nullptr when absent.
  const Host* find_host(std::string_view uuid) const;
  const Sr* find_sr(std::string_view uuid) const;
  const Vm* find_vm(std::string_view uuid) const;

  // The VMs whose memory counts against the host (see memory_host): those
  // residing there and those whose start is on its way there, in uuid order.
  // Empty for an unknown host.
  std::vector<const Vm*> vms_occupying(std::string_view host_uuid) const;
  // memory_total - memory_overhead - the memory of vms_occupying(host): what
  // a new VM may still use. Negative when the host is overcommitted. The host
  // must exist (checked).
  std::int64_t free_memory(std::string_view host_uuid) const;

  // Whether apply(change) would succeed, without changing anything.
  Status check(const Change& change) const;
  // Validates, then applies. On error nothing changed.
  Status apply(const Change& change);

  // Aborts unless every record and every rule between records holds. apply()
  // and from_records() keep these; this is for callers that want proof.
  void assert_invariants() const;

  friend bool operator==(const Database& a, const Database& b);

 private:
  Database() = default;

  // One overload per kind of Change.
  Status check_one(const UpsertHost& change) const;
  Status check_one(const RemoveHost& change) const;
  Status check_one(const UpsertSr& change) const;
  Status check_one(const RemoveSr& change) const;
  Status check_one(const UpsertVm& change) const;
  Status check_one(const RemoveVm& change) const;
  Status check_one(const SetPoolFields& change) const;
  // Already checked; these cannot fail.
  void apply_one(const UpsertHost& change);
  void apply_one(const RemoveHost& change);
  void apply_one(const UpsertSr& change);
  void apply_one(const RemoveSr& change);
  void apply_one(const UpsertVm& change);
  void apply_one(const RemoveVm& change);
  void apply_one(const SetPoolFields& change);

  Status check_vm_placement(const Vm& vm) const;
  Status check_pool_references(const Pool& pool) const;
  void assert_vm_placement(const Vm& vm) const;
  void index_vm(const Vm& vm);
  void unindex_vm(const Vm& vm);

  Pool pool_;
  RecordMap<Host> hosts_;
  RecordMap<Sr> srs_;
  RecordMap<Vm> vms_;
  // Derived index: host uuid -> uuids of the VMs occupying it. Hosts with no
  // such VM have no entry.
  RecordMap<std::set<std::string, std::less<>>> occupants_;
};

}  // namespace poolha::pool

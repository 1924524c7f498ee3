#include "sim/metadata_area.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "common/check.h"
#include "pool/metadata_log_recovery.h"
#include "sim/pool_records.h"
#include "sim/prng.h"

namespace poolha::sim {
namespace {

// POOLHA_CHECK takes a fixed message; the writer's error says what failed.
void check_written(const pool::Status& status, const char* what) {
  if (!status) std::fprintf(stderr, "poolha: %s\n", status.error().message().c_str());
  POOLHA_CHECK(status.ok(), what);
}

pool::PendingWrite checked(pool::Result<pool::PendingWrite> pending, const char* what) {
  if (!pending) check_written(pending.error(), what);
  return std::move(pending).value();
}

// The changes that persist `write`, in the order the master makes them.
std::vector<pool::Change> changes_of(const MetadataWrite& write, const pool::Database& db) {
  std::vector<pool::Change> changes;
  for (const failover::VmRecord& record : write.records) {
    POOLHA_CHECK(db.find_vm(record.uuid) != nullptr, "records of VMs the database knows");
    changes.emplace_back(pool::UpsertVm{to_pool_vm(record)});
  }
  if (write.status) changes.emplace_back(to_pool_fields(*write.status));
  return changes;
}

}  // namespace

MetadataArea::MetadataArea(failover::PoolSnapshot initial, pool::LogGeometry geometry)
    : geometry_(geometry), policy_defaults_(initial.policy), image_(geometry.area_size, 0) {
  POOLHA_CHECK(pool::is_valid(geometry_), "a valid metadata area geometry");
  if (initial.hosts.empty()) return;
  const pool::RecoveredLog blank = pool::recover_metadata_log(geometry_, image_);
  pool::MetadataLogWriter writer(pool::MasterToken::for_elected_master(sim_host_uuid(0)), geometry_,
                                 pool::Snapshot{to_pool_database(initial), 0}, blank);
  const pool::PendingWrite pending = checked(writer.take_over(), "host 0 writes the pool");
  for (const pool::AreaWrite& write : pending.writes) perform(write, write.bytes.size());
  writer.acknowledge(pending.generation);
  writer_.emplace(std::move(writer));
  writer_host_ = 0;
  acknowledged_ = pending.generation;
}

std::uint64_t MetadataArea::take_over(HostIndex by) {
  writer_.reset();
  const pool::RecoveredLog recovered = pool::recover_metadata_log(geometry_, image_);
  POOLHA_CHECK(recovered.newest.has_value(), "a new master finds the pool database in the area");
  POOLHA_CHECK(recovered.newest->database.pool().uuid == kSimPoolUuid,
               "the area holds the simulated pool's database");
  pool::MetadataLogWriter writer(pool::MasterToken::for_elected_master(sim_host_uuid(by)),
                                 geometry_, *recovered.newest, recovered);
  const pool::PendingWrite pending = checked(writer.take_over(), "a new master takes over");
  for (const pool::AreaWrite& write : pending.writes) perform(write, write.bytes.size());
  writer.acknowledge(pending.generation);
  writer_.emplace(std::move(writer));
  writer_host_ = by;
  acknowledged_ = pending.generation;
  return acknowledged_;
}

pool::MetadataLogWriter& MetadataArea::writer_for(HostIndex by) {
  if (!writer_ || writer_host_ != by) take_over(by);
  return *writer_;
}

std::uint64_t MetadataArea::commit(const MetadataWrite& write, HostIndex by) {
  pool::MetadataLogWriter& writer = writer_for(by);
  for (const pool::Change& change : changes_of(write, writer.database())) {
    const pool::PendingWrite pending = checked(writer.append(change), "the master persists");
    for (const pool::AreaWrite& area_write : pending.writes) {
      perform(area_write, area_write.bytes.size());
    }
    writer.acknowledge(pending.generation);
  }
  acknowledged_ = writer.generation();
  return acknowledged_;
}

TornCommit MetadataArea::commit_torn(const MetadataWrite& write, HostIndex by, std::uint64_t seed) {
  pool::MetadataLogWriter& writer = writer_for(by);
  // A copy of the writer issues exactly the writes the master would have,
  // each change's once the previous one's were on disk.
  pool::MetadataLogWriter planner = writer;
  std::vector<pool::AreaWrite> planned;
  for (const pool::Change& change : changes_of(write, writer.database())) {
    pool::PendingWrite pending = checked(planner.append(change), "the master persists");
    for (pool::AreaWrite& area_write : pending.writes) planned.push_back(std::move(area_write));
    planner.acknowledge(pending.generation);
  }
  TornCommit torn;
  torn.planned_writes = planned.size();
  if (!planned.empty()) {
    Prng prng(seed);
    torn.completed_writes = prng.below(planned.size());
    const pool::AreaWrite& cut = planned[torn.completed_writes];
    // Up to the whole write: the power may also fail after the last byte
    // landed but before the master acknowledged anything.
    torn.cut_bytes = prng.below(cut.bytes.size() + 1);
    torn.cut_write_size = cut.bytes.size();
    for (std::size_t i = 0; i < torn.completed_writes; ++i) {
      perform(planned[i], planned[i].bytes.size());
    }
    perform(cut, torn.cut_bytes);
  }
  writer_.reset();
  writer_host_ = kNoHost;
  return torn;
}

failover::PoolSnapshot MetadataArea::load(std::uint64_t* generation) const {
  const pool::RecoveredLog recovered = pool::recover_metadata_log(geometry_, image_);
  if (!recovered.newest) {
    if (generation) *generation = 0;
    failover::PoolSnapshot empty;
    empty.policy = policy_defaults_;
    return empty;
  }
  if (generation) *generation = recovered.newest->generation;
  return sim::to_pool_snapshot(recovered.newest->database, policy_defaults_);
}

void MetadataArea::perform(const pool::AreaWrite& write, std::size_t length) {
  POOLHA_CHECK(length <= write.bytes.size() && write.offset <= image_.size() &&
                   write.bytes.size() <= image_.size() - write.offset,
               "writes stay inside the metadata area");
  std::copy_n(write.bytes.begin(), length,
              image_.begin() + static_cast<std::ptrdiff_t>(write.offset));
}

}  // namespace poolha::sim

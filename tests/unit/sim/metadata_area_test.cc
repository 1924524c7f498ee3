// The simulated metadata area: snapshots and commits load back through the
// real metadata log, a new master takes over and continues, a master losing
// power mid-write never loses an acknowledged generation nor leaves a record
// half applied, and compaction keeps a small area from overflowing.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/units.h"
#include "pool/log_record.h"
#include "pool/metadata_log_recovery.h"
#include "sim/metadata_area.h"
#include "sim/pool_records.h"
#include "sim/prng.h"

namespace poolha::sim {
namespace {

using failover::PlanStatus;
using failover::PoolSnapshot;
using failover::RestartPriority;
using failover::VmPower;
using failover::VmRecord;

constexpr HostIndex kHosts = 3;
// Room for a handful of deltas after each snapshot: compaction is frequent.
constexpr pool::LogGeometry kSmallArea{16 * 1024, 512};

std::string vm_uuid(int i) {
  return "00000000-0000-4000-8000-00000000000" + std::to_string(i);
}

// Three hosts; VMs running, starting, halted; a policy whose retry fields
// differ from the defaults; a plan for one failure.
PoolSnapshot sample_pool() {
  PoolSnapshot snapshot;
  snapshot.hosts = {{"h0", 64 * kGiB, true}, {"h1", 32 * kGiB, true}, {"h2", 32 * kGiB, false}};
  VmRecord db;
  db.uuid = vm_uuid(1);
  db.name = "db";
  db.memory = 8 * kGiB;
  db.priority = RestartPriority::kRestart;
  db.always_run = true;
  db.start_delay = 5s;
  db.power = VmPower::kRunning;
  db.resident_on = 1;
  VmRecord web = db;
  web.uuid = vm_uuid(2);
  web.name = "web";
  web.memory = 2 * kGiB;
  web.order = 1;
  web.start_delay = 0s;
  web.power = VmPower::kHalted;
  web.resident_on = kNoHost;
  web.scheduled_on = 0;
  VmRecord batch = web;
  batch.uuid = vm_uuid(3);
  batch.name = "batch";
  batch.priority = RestartPriority::kBestEffort;
  batch.always_run = false;
  batch.agile = false;
  batch.order = -1;
  batch.scheduled_on = kNoHost;
  for (const VmRecord& vm : {db, web, batch}) snapshot.vms.emplace(vm.uuid, vm);
  snapshot.policy.failures_to_tolerate = 1;
  snapshot.policy.retry_interval = 11s;
  snapshot.policy.max_attempts = 3;
  snapshot.policy.command_timeout = 2min;
  snapshot.status = PlanStatus{1, 1, false, 1};
  return snapshot;
}

void expect_same_pool(const PoolSnapshot& loaded, const PoolSnapshot& expected) {
  ASSERT_EQ(loaded.hosts.size(), expected.hosts.size());
  for (std::size_t h = 0; h < expected.hosts.size(); ++h) {
    EXPECT_EQ(loaded.hosts[h].uuid, sim_host_uuid(static_cast<HostIndex>(h)));
    EXPECT_EQ(loaded.hosts[h].memory_for_vms, expected.hosts[h].memory_for_vms) << "h" << h;
    EXPECT_EQ(loaded.hosts[h].enabled, expected.hosts[h].enabled) << "h" << h;
  }
  ASSERT_EQ(loaded.vms.size(), expected.vms.size());
  for (const auto& [uuid, vm] : expected.vms) {
    const auto it = loaded.vms.find(uuid);
    ASSERT_NE(it, loaded.vms.end()) << uuid;
    EXPECT_EQ(it->second, vm) << uuid;
  }
  const failover::FailoverPolicy& a = loaded.policy;
  const failover::FailoverPolicy& b = expected.policy;
  EXPECT_EQ(a.restart_on_internal_shutdown, b.restart_on_internal_shutdown);
  EXPECT_EQ(a.failures_to_tolerate, b.failures_to_tolerate);
  EXPECT_EQ(a.allow_overcommit, b.allow_overcommit);
  EXPECT_EQ(a.retry_interval, b.retry_interval);
  EXPECT_EQ(a.max_attempts, b.max_attempts);
  EXPECT_EQ(a.best_effort_retry_interval, b.best_effort_retry_interval);
  EXPECT_EQ(a.best_effort_attempts, b.best_effort_attempts);
  EXPECT_EQ(a.command_timeout, b.command_timeout);
  EXPECT_EQ(loaded.status, expected.status);
}

// The VM and status parts only: what a write can change.
bool same_records(const PoolSnapshot& a, const PoolSnapshot& b) {
  return a.vms == b.vms && a.status == b.status;
}

void apply(PoolSnapshot& snapshot, const MetadataWrite& write) {
  for (const VmRecord& r : write.records) snapshot.vms.at(r.uuid) = r;
  if (write.status) {
    snapshot.status = *write.status;
    snapshot.policy.failures_to_tolerate = write.status->failures_to_tolerate;
  }
}

// A write of 1..3 VM records in states the coordinator produces (running
// somewhere, starting somewhere, or halted), sometimes with a status.
MetadataWrite random_write(const PoolSnapshot& snapshot, Prng& random) {
  MetadataWrite write;
  const auto count = random.between(1, 3);
  for (std::int64_t i = 0; i < count; ++i) {
    auto it = snapshot.vms.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(random.below(snapshot.vms.size())));
    VmRecord r = it->second;
    r.power = VmPower::kHalted;
    r.resident_on = kNoHost;
    r.scheduled_on = kNoHost;
    const auto host = static_cast<HostIndex>(random.below(kHosts));
    switch (random.below(3)) {
      case 0:
        r.power = VmPower::kRunning;
        r.resident_on = host;
        break;
      case 1:
        r.scheduled_on = host;
        break;
      default:
        break;
    }
    r.memory = (1 + random.below(16)) * kGiB;
    r.always_run = random.chance_percent(70);
    r.order = random.between(-2, 5);
    r.start_delay = std::chrono::seconds(random.below(20));
    write.records.push_back(std::move(r));
  }
  if (random.chance_percent(30)) {
    const auto plan = static_cast<std::uint32_t>(random.below(3));
    write.status = PlanStatus{plan, plan, random.chance_percent(50), plan};
  }
  return write;
}

// The database a recovery of the area's bytes finds.
pool::Database recovered_database(const MetadataArea& area) {
  const pool::RecoveredLog recovered = pool::recover_metadata_log(area.geometry(), area.image());
  EXPECT_TRUE(recovered.newest.has_value());
  return recovered.newest ? recovered.newest->database : pool::Database("empty");
}

TEST(SimMetadataArea, InitialPoolLoadsBackAcknowledged) {
  const MetadataArea area(sample_pool());
  EXPECT_EQ(area.acknowledged(), 1u);
  EXPECT_EQ(area.writer_host(), 0);
  std::uint64_t generation = 0;
  expect_same_pool(area.load(&generation), sample_pool());
  EXPECT_EQ(generation, 1u);
  EXPECT_NO_FATAL_FAILURE(area.load(nullptr));
}

TEST(SimMetadataArea, ImageHoldsTheRealMetadataLog) {
  const MetadataArea area(sample_pool());
  EXPECT_EQ(area.image().size(), MetadataArea::kDefaultGeometry.area_size);
  const pool::Database db = recovered_database(area);
  db.assert_invariants();
  EXPECT_EQ(db.pool().uuid, kSimPoolUuid);
  EXPECT_EQ(db.pool().master, sim_host_uuid(0));
  EXPECT_TRUE(db.pool().ha_enabled);
  EXPECT_EQ(db.hosts().size(), 3u);
  const pool::Vm* web = db.find_vm(vm_uuid(2));
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->scheduled_to_be_resident_on, sim_host_uuid(0));
  EXPECT_EQ(web->ha_restart_priority, pool::RestartPriority::kRestart);
  // Both halves start with the take-over snapshot.
  for (int half : {0, 1}) {
    const auto record = pool::read_record(area.image().subspan(area.geometry().half_start(half)),
                                          area.geometry().block_size);
    ASSERT_TRUE(std::holds_alternative<pool::RecordView>(record)) << half;
    EXPECT_EQ(std::get<pool::RecordView>(record).kind, pool::RecordKind::kSnapshot);
    EXPECT_EQ(std::get<pool::RecordView>(record).generation, 1u);
  }
}

TEST(SimMetadataArea, CommitsLoadBackOneGenerationPerChange) {
  MetadataArea area(sample_pool());
  PoolSnapshot expected = sample_pool();
  MetadataWrite write;
  VmRecord db = expected.vms.at(vm_uuid(1));
  db.power = VmPower::kHalted;
  db.resident_on = kNoHost;
  db.scheduled_on = 2;
  VmRecord web = expected.vms.at(vm_uuid(2));
  web.scheduled_on = kNoHost;
  web.power = VmPower::kRunning;
  web.resident_on = 0;
  write.records = {db, web};
  write.status = PlanStatus{0, 0, true, 0};
  apply(expected, write);

  EXPECT_EQ(area.commit(write), 4u);  // two records and the status
  EXPECT_EQ(area.acknowledged(), 4u);
  std::uint64_t generation = 0;
  expect_same_pool(area.load(&generation), expected);
  EXPECT_EQ(generation, 4u);

  EXPECT_EQ(area.commit(MetadataWrite{}), 4u);  // nothing to persist
  EXPECT_EQ(area.commit(MetadataWrite{{}, PlanStatus{1, 1, false, 1}}), 5u);
}

TEST(SimMetadataArea, PoolWithoutHostsStaysBlank) {
  PoolSnapshot empty;
  empty.policy.max_attempts = 2;
  const MetadataArea area(empty);
  EXPECT_EQ(area.acknowledged(), 0u);
  EXPECT_EQ(area.writer_host(), kNoHost);
  std::uint64_t generation = 99;
  const PoolSnapshot loaded = area.load(&generation);
  EXPECT_EQ(generation, 0u);
  EXPECT_TRUE(loaded.hosts.empty());
  EXPECT_TRUE(loaded.vms.empty());
  EXPECT_EQ(loaded.policy.max_attempts, 2u);
}

TEST(SimMetadataArea, AreaIsAssignableLikeTheSimulatorUsesIt) {
  MetadataArea area{PoolSnapshot{}};
  area = MetadataArea(sample_pool());
  area.commit(MetadataWrite{{}, PlanStatus{0, 0, false, 0}});
  std::uint64_t generation = 0;
  area.load(&generation);
  EXPECT_EQ(generation, 2u);
}

TEST(SimMetadataArea, SecondHostTakesOverAndContinues) {
  MetadataArea area(sample_pool(), kSmallArea);
  PoolSnapshot expected = sample_pool();
  Prng random(5);
  MetadataWrite write = random_write(expected, random);
  apply(expected, write);
  std::uint64_t generation = area.commit(write, 0);

  // h1 commits without having written before: a take-over snapshot first.
  write = random_write(expected, random);
  apply(expected, write);
  const std::uint64_t changes = write.records.size() + (write.status ? 1 : 0);
  EXPECT_EQ(area.commit(write, 1), generation + 1 + changes);
  generation = area.acknowledged();
  EXPECT_EQ(area.writer_host(), 1);
  EXPECT_EQ(recovered_database(area).pool().master, sim_host_uuid(1));
  std::uint64_t loaded_generation = 0;
  expect_same_pool(area.load(&loaded_generation), expected);
  EXPECT_EQ(loaded_generation, generation);

  // h1 continues with deltas; an explicit take-over by h2 then lets h2
  // commit without another one.
  write = MetadataWrite{{}, PlanStatus{2, 2, false, 2}};
  apply(expected, write);
  EXPECT_EQ(area.commit(write, 1), generation + 1);
  EXPECT_EQ(area.take_over(2), generation + 2);
  write = MetadataWrite{{}, PlanStatus{1, 1, false, 1}};
  apply(expected, write);
  EXPECT_EQ(area.commit(write, 2), generation + 3);
  EXPECT_EQ(recovered_database(area).pool().master, sim_host_uuid(2));

  // The old master coming back is a new master again.
  EXPECT_EQ(area.commit(MetadataWrite{}, 0), generation + 4);
  EXPECT_EQ(recovered_database(area).pool().master, sim_host_uuid(0));
  expect_same_pool(area.load(&loaded_generation), expected);
  EXPECT_EQ(loaded_generation, area.acknowledged());
}

// The states a load after a torn `write` may find: the changes of the write
// are records of their own, so any prefix of them may have landed whole.
std::vector<PoolSnapshot> states_after_some_of(const PoolSnapshot& before,
                                               const MetadataWrite& write) {
  std::vector<PoolSnapshot> states{before};
  for (const VmRecord& r : write.records) {
    states.push_back(states.back());
    states.back().vms.at(r.uuid) = r;
  }
  if (write.status) {
    states.push_back(states.back());
    states.back().status = *write.status;
  }
  return states;
}

// Loads after a torn commit and checks it: nothing acknowledged lost, the
// torn write applied record by record, never partly. Returns what loaded.
PoolSnapshot load_after_torn(const MetadataArea& area, const PoolSnapshot& before,
                             const MetadataWrite& write, std::uint64_t seed) {
  std::uint64_t generation = 0;
  PoolSnapshot loaded = area.load(&generation);
  EXPECT_GE(generation, area.acknowledged()) << "seed " << seed;
  const std::vector<PoolSnapshot> states = states_after_some_of(before, write);
  bool matches = false;
  for (const PoolSnapshot& state : states) matches = matches || same_records(loaded, state);
  EXPECT_TRUE(matches) << "seed " << seed << ": the load is no prefix of the torn write";
  return loaded;
}

TEST(SimMetadataArea, TornCommitAtManyPrefixPointsOfOneWrite) {
  MetadataArea area(sample_pool(), kSmallArea);
  PoolSnapshot expected = sample_pool();
  Prng random(17);
  for (int i = 0; i < 5; ++i) {
    const MetadataWrite write = random_write(expected, random);
    apply(expected, write);
    area.commit(write, 1);
  }
  MetadataWrite torn_write = random_write(expected, random);
  torn_write.status = PlanStatus{0, 0, true, 0};

  std::set<std::pair<std::size_t, std::size_t>> cuts;
  std::size_t mid_write = 0;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    for (HostIndex by : {HostIndex{1}, HostIndex{2}}) {
      MetadataArea crashed = area;
      const std::uint64_t acknowledged = crashed.acknowledged();
      const TornCommit torn = crashed.commit_torn(torn_write, by, seed);
      ASSERT_EQ(torn.planned_writes, 2 * (torn_write.records.size() + 1));
      ASSERT_LT(torn.completed_writes, torn.planned_writes);
      ASSERT_LE(torn.cut_bytes, torn.cut_write_size);
      cuts.emplace(torn.completed_writes, torn.cut_bytes);
      if (torn.cut_bytes > 0 && torn.cut_bytes < torn.cut_write_size) ++mid_write;
      // The take-over h2 needed first was acknowledged; the write itself not.
      EXPECT_EQ(crashed.acknowledged(), by == 1 ? acknowledged : acknowledged + 1);
      EXPECT_EQ(crashed.writer_host(), kNoHost);
      const PoolSnapshot loaded = load_after_torn(crashed, expected, torn_write, seed);

      // Whoever commits next takes over from what landed and loses nothing.
      const std::uint64_t before_next = crashed.acknowledged();
      const MetadataWrite next{{}, PlanStatus{2, 2, false, 2}};
      const std::uint64_t committed = crashed.commit(next, by);
      EXPECT_EQ(committed, crashed.acknowledged());
      EXPECT_GT(committed, before_next + 1);  // a take-over and the status
      PoolSnapshot after_next = loaded;
      apply(after_next, next);
      std::uint64_t generation = 0;
      EXPECT_TRUE(same_records(crashed.load(&generation), after_next)) << "seed " << seed;
      EXPECT_EQ(generation, crashed.acknowledged());
    }
  }
  EXPECT_GT(cuts.size(), 300u);
  EXPECT_GT(mid_write, 300u);
}

TEST(SimMetadataArea, TornCommitsInALongHistoryNeverLoseAcknowledgedWrites) {
  for (std::uint64_t history = 0; history < 12; ++history) {
    MetadataArea area(sample_pool(), kSmallArea);
    PoolSnapshot expected = sample_pool();
    Prng random(1000 + history);
    HostIndex master = 0;
    for (int step = 0; step < 150; ++step) {
      if (random.chance_percent(10)) master = static_cast<HostIndex>(random.below(kHosts));
      const MetadataWrite write = random_write(expected, random);
      if (random.chance_percent(25)) {
        const std::uint64_t seed = random.next();
        area.commit_torn(write, master, seed);
        expected = load_after_torn(area, expected, write, seed);
        if (HasFailure()) return;
        continue;
      }
      apply(expected, write);
      const std::uint64_t generation = area.commit(write, master);
      std::uint64_t loaded_generation = 0;
      const PoolSnapshot loaded = area.load(&loaded_generation);
      ASSERT_EQ(loaded_generation, generation) << "history " << history << " step " << step;
      ASSERT_TRUE(same_records(loaded, expected)) << "history " << history << " step " << step;
    }
    expect_same_pool(area.load(nullptr), expected);
  }
}

TEST(SimMetadataArea, CompactionKeepsASmallAreaFromOverflowing) {
  MetadataArea area(sample_pool(), kSmallArea);
  PoolSnapshot expected = sample_pool();
  Prng random(99);
  std::set<std::uint64_t> snapshot_generations;
  for (int i = 0; i < 600; ++i) {
    const MetadataWrite write = random_write(expected, random);
    apply(expected, write);
    area.commit(write, 0);
    ASSERT_EQ(area.image().size(), kSmallArea.area_size);
    const auto first = pool::read_record(area.image(), kSmallArea.block_size);
    ASSERT_TRUE(std::holds_alternative<pool::RecordView>(first));
    snapshot_generations.insert(std::get<pool::RecordView>(first).generation);
    if (i % 50 == 0) {
      std::uint64_t generation = 0;
      ASSERT_TRUE(same_records(area.load(&generation), expected)) << i;
      ASSERT_EQ(generation, area.acknowledged());
    }
  }
  // Far more changes than one half holds: the log restarted from a snapshot
  // again and again.
  EXPECT_GT(area.acknowledged(), 1200u);
  EXPECT_GT(snapshot_generations.size(), 50u);
  std::uint64_t generation = 0;
  expect_same_pool(area.load(&generation), expected);
  EXPECT_EQ(generation, area.acknowledged());
}

}  // namespace
}  // namespace poolha::sim

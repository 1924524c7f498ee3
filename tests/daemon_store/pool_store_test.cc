// PoolStore on a real image file: what a master persists is what another
// host loads; a failed or stalled write is retried and acknowledged only once
// it landed; the local copy wins when it is newer; losing the master role
// fails what was queued.
#include "daemon/store/pool_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "daemon/store/heartbeat_sr_layout.h"
#include "daemon/store/local_copy_file.h"
#include "daemon/store/pool_create.h"
#include "store_test_support.h"

namespace poolha::daemon {
namespace {

using ::testing::HasSubstr;
using testing::kHostA;
using testing::kHostB;
using testing::kPoolUuid;
using testing::run_for;
using testing::run_until;
using testing::TestHost;

pool::Vm new_vm(const std::string& uuid, std::int64_t memory_mib) {
  pool::Vm vm;
  vm.uuid = uuid;
  vm.name_label = "vm " + uuid;
  vm.memory_static_max = memory_mib << 20;
  vm.ha_restart_priority = pool::RestartPriority::kRestart;
  return vm;
}

pool::Change running_on(pool::Vm vm, const std::string& host) {
  vm.power_state = pool::PowerState::kRunning;
  vm.resident_on = host;
  vm.ha_always_run = true;
  return pool::UpsertVm{std::move(vm)};
}

class PoolStoreTest : public ::testing::Test {
 protected:
  PoolStoreTest() {
    config_a_ = testing::test_config(dir_.path(), kHostA);
    config_b_ = testing::test_config(dir_.path(), kHostB);
    created_ = create_pool(config_a_, {});
  }

  static PoolStoreSettings fast_retries() {
    PoolStoreSettings settings;
    settings.retry_delay = 20ms;
    return settings;
  }

  // The local copy is saved on the store's own thread: wait for it.
  std::optional<pool::Snapshot> local_copy_at(const PoolStore& store, pool::Generation generation) {
    std::optional<pool::Snapshot> copy;
    EXPECT_TRUE(run_until(io_,
                          [&] {
                            copy = read_local_copy(store.local_copy_file());
                            return copy && copy->generation >= generation;
                          }))
        << "the local copy never reached generation " << generation;
    return copy;
  }

  LoadOutcome load(PoolStore& store) {
    std::optional<LoadOutcome> outcome;
    store.load([&](LoadOutcome o) { outcome = std::move(o); });
    EXPECT_TRUE(run_until(io_, [&] { return outcome.has_value(); }));
    return outcome.value_or(LoadOutcome{"no answer", nullptr, 0, ""});
  }

  StoreOutcome become_master(PoolStore& store, const std::string& host) {
    std::optional<StoreOutcome> outcome;
    store.become_master(pool::MasterToken::for_elected_master(host),
                        [&](StoreOutcome o) { outcome = std::move(o); });
    EXPECT_TRUE(run_until(io_, [&] { return outcome.has_value(); }));
    return outcome.value_or(StoreOutcome{"no answer", std::nullopt, 0});
  }

  StoreOutcome persist(PoolStore& store, std::vector<pool::Change> changes) {
    std::optional<StoreOutcome> outcome;
    store.persist(std::move(changes), [&](StoreOutcome o) { outcome = std::move(o); });
    EXPECT_TRUE(run_until(io_, [&] { return outcome.has_value(); }));
    return outcome.value_or(StoreOutcome{"no answer", std::nullopt, 0});
  }

  testing::TempDir dir_;
  DaemonConfig config_a_;
  DaemonConfig config_b_;
  std::optional<CreatedPool> created_;
  asio::io_context io_;
};

TEST_F(PoolStoreTest, LoadsWhatThePoolWasCreatedWith) {
  TestHost host(io_, config_b_);
  const LoadOutcome loaded = load(host.store());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.source, "metadata area");
  EXPECT_EQ(loaded.generation, created_->generation);
  EXPECT_EQ(*loaded.database, created_->database);
  EXPECT_EQ(host.store().database(), loaded.database);
  // The local copy now holds the same generation.
  const std::optional<pool::Snapshot> copy = local_copy_at(host.store(), created_->generation);
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->generation, created_->generation);
  EXPECT_EQ(copy->database, created_->database);
}

TEST_F(PoolStoreTest, MasterPersistsChangesThatAnotherHostLoads) {
  TestHost master(io_, config_a_, fast_retries());
  const StoreOutcome took_over = become_master(master.store(), kHostA);
  ASSERT_TRUE(took_over.ok()) << took_over.error;
  EXPECT_GT(took_over.generation, created_->generation);
  EXPECT_TRUE(master.store().is_master());

  std::vector<std::optional<StoreOutcome>> outcomes(3);
  master.store().persist({pool::UpsertVm{new_vm("vm-1", 256)}},
                         [&](StoreOutcome o) { outcomes[0] = std::move(o); });
  master.store().persist(
      {pool::UpsertVm{new_vm("vm-2", 512)}, running_on(new_vm("vm-2", 512), kHostB)},
      [&](StoreOutcome o) { outcomes[1] = std::move(o); });
  pool::SetPoolFields fields;
  fields.ha_host_failures_to_tolerate = 1;
  master.store().persist({fields}, [&](StoreOutcome o) { outcomes[2] = std::move(o); });
  ASSERT_TRUE(run_until(io_, [&] { return outcomes[2].has_value(); }));
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(outcome->ok()) << outcome->error;
  }
  // Acknowledged in order, each with its own generation.
  EXPECT_LT(outcomes[0]->generation, outcomes[1]->generation);
  EXPECT_LT(outcomes[1]->generation, outcomes[2]->generation);
  EXPECT_EQ(master.store().generation(), outcomes[2]->generation);

  TestHost other(io_, config_b_);
  const LoadOutcome loaded = load(other.store());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.generation, outcomes[2]->generation);
  EXPECT_EQ(*loaded.database, *master.store().database());
  ASSERT_NE(loaded.database->find_vm("vm-1"), nullptr);
  const pool::Vm* vm2 = loaded.database->find_vm("vm-2");
  ASSERT_NE(vm2, nullptr);
  EXPECT_EQ(vm2->resident_on, kHostB);
  EXPECT_EQ(loaded.database->pool().ha_host_failures_to_tolerate, 1);
  EXPECT_EQ(loaded.database->pool().master, kHostA);
}

TEST_F(PoolStoreTest, RefusedRequestWritesNothing) {
  TestHost master(io_, config_a_, fast_retries());
  ASSERT_TRUE(become_master(master.store(), kHostA).ok());
  const pool::Generation before = master.store().generation();
  const std::size_t writes_before = master.device().writes();

  // The second change puts the VM on a host the pool does not have.
  const StoreOutcome refused = persist(master.store(), {pool::UpsertVm{new_vm("vm-1", 256)},
                                                        running_on(new_vm("vm-1", 256), "nobody")});
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.refused, pool::ErrorCode::kDanglingReference);
  EXPECT_THAT(refused.error, HasSubstr("change 2 of 2"));
  EXPECT_EQ(master.store().generation(), before);
  EXPECT_EQ(master.device().writes(), writes_before);
  EXPECT_EQ(master.store().database()->find_vm("vm-1"), nullptr);

  // A later valid request still goes through.
  EXPECT_TRUE(persist(master.store(), {pool::UpsertVm{new_vm("vm-1", 256)}}).ok());
}

TEST_F(PoolStoreTest, FailedWriteIsRetriedAndAcknowledgedOnlyAfterItLands) {
  PoolStoreSettings settings;
  settings.retry_delay = 300ms;
  TestHost master(io_, config_a_, settings);
  ASSERT_TRUE(become_master(master.store(), kHostA).ok());

  master.device().fail_write(2);  // the second half's copy of the next record
  std::optional<StoreOutcome> outcome;
  master.store().persist({pool::UpsertVm{new_vm("vm-1", 256)}},
                         [&](StoreOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(run_until(io_, [&] { return master.store().stats().writes_failed == 1; }));
  // Failed and waiting to retry: not acknowledged, not applied.
  run_for(io_, 50ms);
  EXPECT_FALSE(outcome.has_value());
  EXPECT_EQ(master.store().database()->find_vm("vm-1"), nullptr);

  ASSERT_TRUE(run_until(io_, [&] { return outcome.has_value(); }));
  EXPECT_TRUE(outcome->ok()) << outcome->error;
  EXPECT_EQ(master.device().failed_writes(), 1u);
  EXPECT_EQ(master.store().stats().writes_failed, 1u);
  ASSERT_NE(master.store().database()->find_vm("vm-1"), nullptr);

  TestHost other(io_, config_b_);
  const LoadOutcome loaded = load(other.store());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.generation, outcome->generation);
  EXPECT_NE(loaded.database->find_vm("vm-1"), nullptr);
}

TEST_F(PoolStoreTest, TimedOutWriteIsRetriedOnceTheDeviceAnswersAgain) {
  PoolStoreSettings settings;
  settings.device_timeout = 100ms;
  settings.retry_delay = 20ms;
  TestHost master(io_, config_a_, settings);
  ASSERT_TRUE(become_master(master.store(), kHostA).ok());

  master.device().stall_write(1, 400ms);
  const StoreOutcome outcome = persist(master.store(), {pool::UpsertVm{new_vm("vm-1", 256)}});
  EXPECT_TRUE(outcome.ok()) << outcome.error;
  EXPECT_GE(master.store().stats().writes_failed, 1u);

  TestHost other(io_, config_b_);
  const LoadOutcome loaded = load(other.store());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.generation, outcome.generation);
  EXPECT_NE(loaded.database->find_vm("vm-1"), nullptr);
}

TEST_F(PoolStoreTest, NewerLocalCopyWinsOverTheArea) {
  // Host B saw a newer database than the area holds (its copy is from a
  // master whose later writes this area never got, e.g. a replaced SR).
  pool::Database newer = created_->database;
  ASSERT_TRUE(newer.apply(pool::UpsertVm{new_vm("from-copy", 128)}).ok());
  save_local_copy(local_copy_path(config_b_.state_dir), pool::Snapshot{newer, 40});

  TestHost host(io_, config_b_, fast_retries());
  const LoadOutcome loaded = load(host.store());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_EQ(loaded.source, "local copy");
  EXPECT_EQ(loaded.generation, 40u);
  EXPECT_EQ(*loaded.database, newer);

  // Becoming master, it writes that database to the area.
  const StoreOutcome took_over = become_master(host.store(), kHostB);
  ASSERT_TRUE(took_over.ok()) << took_over.error;
  EXPECT_GT(took_over.generation, 40u);

  TestHost other(io_, config_a_);
  const LoadOutcome from_area = load(other.store());
  ASSERT_TRUE(from_area.ok()) << from_area.error;
  EXPECT_EQ(from_area.source, "metadata area");
  EXPECT_EQ(from_area.generation, took_over.generation);
  EXPECT_NE(from_area.database->find_vm("from-copy"), nullptr);
  EXPECT_EQ(from_area.database->pool().master, kHostB);
}

TEST_F(PoolStoreTest, StopBeingMasterFailsQueuedRequests) {
  TestHost master(io_, config_a_, fast_retries());
  ASSERT_TRUE(become_master(master.store(), kHostA).ok());

  std::vector<std::optional<StoreOutcome>> outcomes(3);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    master.store().persist({pool::UpsertVm{new_vm("vm-" + std::to_string(i), 64)}},
                           [&, i](StoreOutcome o) { outcomes[i] = std::move(o); });
  }
  master.store().stop_being_master();
  EXPECT_FALSE(master.store().is_master());
  ASSERT_TRUE(run_until(io_, [&] {
    return outcomes[0].has_value() && outcomes[1].has_value() && outcomes[2].has_value();
  }));
  for (const auto& outcome : outcomes) {
    EXPECT_FALSE(outcome->ok());
    EXPECT_THAT(outcome->error, HasSubstr("stopped being the pool master"));
  }

  // No longer master: refused at once.
  const StoreOutcome late = persist(master.store(), {pool::UpsertVm{new_vm("late", 64)}});
  EXPECT_FALSE(late.ok());
  EXPECT_EQ(late.refused, pool::ErrorCode::kNotMaster);
  EXPECT_THAT(late.error, HasSubstr("not the pool master"));
}

TEST_F(PoolStoreTest, SlaveRefreshPicksUpTheMastersWrites) {
  TestHost master(io_, config_a_, fast_retries());
  TestHost slave(io_, config_b_);
  ASSERT_TRUE(load(slave.store()).ok());
  std::vector<pool::Generation> seen;
  slave.store().set_snapshot_listener(
      [&](const std::shared_ptr<const pool::Database>&, pool::Generation g) { seen.push_back(g); });

  ASSERT_TRUE(become_master(master.store(), kHostA).ok());
  const StoreOutcome written = persist(master.store(), {pool::UpsertVm{new_vm("vm-1", 64)}});
  ASSERT_TRUE(written.ok()) << written.error;

  slave.store().refresh();
  ASSERT_TRUE(run_until(io_, [&] { return slave.store().generation() == written.generation; }));
  EXPECT_EQ(seen, std::vector<pool::Generation>{written.generation});
  EXPECT_NE(slave.store().database()->find_vm("vm-1"), nullptr);
  EXPECT_EQ(local_copy_at(slave.store(), written.generation)->generation, written.generation);

  // Nothing new: no change reported.
  slave.store().refresh();
  run_for(io_, 100ms);
  EXPECT_EQ(seen.size(), 1u);
}

TEST_F(PoolStoreTest, RefusesTheDatabaseOfAnotherPool) {
  DaemonConfig other_pool = config_b_;
  other_pool.pool_uuid = "eeeeeeee-0000-4000-8000-000000000005";
  TestHost host(io_, other_pool);
  const LoadOutcome loaded = load(host.store());
  EXPECT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.error, HasSubstr("holds the database of pool " + std::string(kPoolUuid)));
  EXPECT_EQ(host.store().database(), nullptr);

  const StoreOutcome took_over = become_master(host.store(), kHostB);
  EXPECT_FALSE(took_over.ok());
  EXPECT_FALSE(host.store().is_master());
}

TEST(PoolStoreBlankArea, LoadSaysThereIsNoDatabase) {
  testing::TempDir dir;
  const DaemonConfig config = testing::test_config(dir.path(), kHostA);
  {
    const std::uint64_t size = heartbeat_sr_layout(config).device_size();
    std::filesystem::create_directories(dir.path());
    std::filesystem::path image = config.heartbeat_sr.device;
    { std::ofstream create(image, std::ios::binary); }
    std::filesystem::resize_file(image, size);
  }
  asio::io_context io;
  TestHost host(io, config);
  std::optional<LoadOutcome> outcome;
  host.store().load([&](LoadOutcome o) { outcome = std::move(o); });
  ASSERT_TRUE(run_until(io, [&] { return outcome.has_value(); }));
  EXPECT_FALSE(outcome->ok());
  EXPECT_THAT(outcome->error, HasSubstr("no pool database"));
}

}  // namespace
}  // namespace poolha::daemon

// create_pool: the new pool's database lands on the heartbeat SR exactly as
// built, the device file is created when missing, and an existing pool or a
// statefile in use is never overwritten without --force.
#include "daemon/store/pool_create.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "daemon/store/heartbeat_sr_device.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "io/file_block_device.h"
#include "pool/metadata_log_recovery.h"
#include "store_test_support.h"
#include "wire/statefile.h"

namespace poolha::daemon {
namespace {

using ::testing::HasSubstr;
using testing::kHostA;
using testing::kHostB;
using testing::kPoolUuid;
using testing::kSrUuid;

// What a host reading the area finds (recovery straight from the device).
std::optional<pool::Snapshot> read_area(const DaemonConfig& config) {
  const HeartbeatSrLayout layout = heartbeat_sr_layout(config);
  const auto device = open_heartbeat_sr_device(config.heartbeat_sr);
  return pool::recover_metadata_log(layout.log_geometry(), device->read(layout.metadata_area.base,
                                                                        layout.metadata_area.size))
      .newest;
}

class PoolCreateTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  DaemonConfig config_ = testing::test_config(dir_.path(), kHostA);
};

TEST_F(PoolCreateTest, BuildsThePoolFromTheConfigurationAndTheGivenVms) {
  const pool::Database db = initial_pool_database(
      config_, {NewVm{"web", 256, pool::RestartPriority::kRestart, 1},
                NewVm{"batch", 1024, pool::RestartPriority::kUnprotected, -1}});
  EXPECT_EQ(db.pool().uuid, kPoolUuid);
  EXPECT_EQ(db.pool().name_label, "test pool");
  EXPECT_EQ(db.pool().master, kHostA);
  EXPECT_FALSE(db.pool().ha_enabled);
  EXPECT_EQ(db.pool().ha_timeout, 45);

  ASSERT_EQ(db.hosts().size(), 3u);
  const pool::Host* beta = db.find_host(kHostB);
  ASSERT_NE(beta, nullptr);
  EXPECT_EQ(beta->name_label, "beta");
  EXPECT_EQ(beta->address, "10.0.0.2");
  EXPECT_EQ(beta->memory_total, std::int64_t{16384} << 20);
  EXPECT_EQ(beta->memory_overhead, std::int64_t{512} << 20);
  EXPECT_TRUE(beta->enabled);

  const pool::Sr* sr = db.find_sr(kSrUuid);
  ASSERT_NE(sr, nullptr);
  EXPECT_EQ(sr->name_label, "MGMT-HA");
  EXPECT_TRUE(sr->shared);
  EXPECT_TRUE(sr->heartbeat);

  ASSERT_EQ(db.vms().size(), 2u);
  for (const auto& [uuid, vm] : db.vms()) {
    EXPECT_EQ(vm.power_state, pool::PowerState::kHalted);
    EXPECT_TRUE(vm.resident_on.empty());
    if (vm.name_label == "web") {
      EXPECT_EQ(vm.memory_static_max, std::int64_t{256} << 20);
      EXPECT_EQ(vm.ha_restart_priority, pool::RestartPriority::kRestart);
      EXPECT_EQ(vm.order, 1);
    } else {
      EXPECT_EQ(vm.name_label, "batch");
      EXPECT_EQ(vm.ha_restart_priority, pool::RestartPriority::kUnprotected);
      EXPECT_EQ(vm.order, -1);
    }
  }
}

TEST_F(PoolCreateTest, RefusesTwoVmsWithTheSameName) {
  EXPECT_THROW(initial_pool_database(config_, {NewVm{"web", 256, {}, 0}, NewVm{"web", 128, {}, 0}}),
               PoolCreateError);
}

TEST_F(PoolCreateTest, CreatesTheDeviceFileAndWritesTheDatabase) {
  ASSERT_FALSE(std::filesystem::exists(config_.heartbeat_sr.device));
  const CreatedPool created =
      create_pool(config_, {{NewVm{"web", 256, pool::RestartPriority::kRestart, 1}}, false});
  EXPECT_TRUE(created.created_device_file);
  EXPECT_FALSE(created.overwritten.has_value());
  EXPECT_EQ(std::filesystem::file_size(config_.heartbeat_sr.device),
            heartbeat_sr_layout(config_).device_size());
  EXPECT_GE(created.generation, 1u);

  const std::optional<pool::Snapshot> found = read_area(config_);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->generation, created.generation);
  EXPECT_EQ(found->database, created.database);
  EXPECT_EQ(found->database.vms().size(), 1u);
}

TEST_F(PoolCreateTest, RefusesToOverwriteAPoolUnlessForced) {
  const CreatedPool first = create_pool(config_, {{NewVm{"web", 256, {}, 0}}, false});
  try {
    create_pool(config_, {});
    FAIL() << "an existing pool was overwritten";
  } catch (const PoolCreateError& error) {
    EXPECT_THAT(error.what(), HasSubstr("already holds the database of pool"));
    EXPECT_THAT(error.what(), HasSubstr("--force"));
  }
  // Untouched.
  EXPECT_EQ(read_area(config_)->database, first.database);

  const CreatedPool second = create_pool(config_, {{}, true});
  EXPECT_FALSE(second.created_device_file);
  ASSERT_TRUE(second.overwritten.has_value());
  EXPECT_THAT(*second.overwritten, HasSubstr(kPoolUuid));
  // Numbered above the old log, so nothing of it can win over the new one.
  EXPECT_GT(second.generation, first.generation);
  const std::optional<pool::Snapshot> found = read_area(config_);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->database, second.database);
  EXPECT_TRUE(found->database.vms().empty());
}

TEST_F(PoolCreateTest, ZeroesTheStatefileAndRefusesOneWithHaEnabled) {
  const HeartbeatSrLayout layout = heartbeat_sr_layout(config_);
  ASSERT_TRUE(create_heartbeat_sr_file_if_missing(config_.heartbeat_sr, layout.device_size()));
  wire::GlobalSection global;
  global.generation = 7;
  global.pool_state = wire::PoolState::kActive;
  global.host_count = 3;
  global.host_uuids.resize(3);
  {
    io::FileBlockDevice device(config_.heartbeat_sr.device);
    device.write(0, wire::encode_global(global));
    // A leftover slot further on.
    device.write(layout.statefile.size - 4096, std::vector<std::uint8_t>(4096, 0xAB));
  }
  try {
    create_pool(config_, {});
    FAIL() << "a statefile with HA enabled was wiped";
  } catch (const PoolCreateError& error) {
    EXPECT_THAT(error.what(), HasSubstr("HA enabled"));
  }

  create_pool(config_, {{}, true});
  io::FileBlockDevice device(config_.heartbeat_sr.device);
  EXPECT_EQ(device.read(0, layout.statefile_reserved.size),
            std::vector<std::uint8_t>(layout.statefile_reserved.size, 0));
}

TEST_F(PoolCreateTest, RefusesADeviceTooSmallForTheLayout) {
  const HeartbeatSrLayout layout = heartbeat_sr_layout(config_);
  ASSERT_TRUE(create_heartbeat_sr_file_if_missing(config_.heartbeat_sr,
                                                  layout.device_size() - 1024 * 1024));
  try {
    create_pool(config_, {});
    FAIL() << "wrote past the end of the device";
  } catch (const std::exception& error) {
    EXPECT_THAT(error.what(), HasSubstr("needs " + std::to_string(layout.device_size())));
  }
}

}  // namespace
}  // namespace poolha::daemon

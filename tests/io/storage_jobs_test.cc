// The jobs behind engine statefile ops and metadata-area writes, run
// directly against an in-memory device: real statefile encodings land in
// the statefile region and decode back, nothing leaves its region, and area
// writes go in order with a flush after each.
#include "io/storage_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>

#include "io/io_error.h"
#include "memory_block_device.h"
#include "wire/statefile.h"

namespace poolha::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;
using testing::MemoryBlockDevice;

constexpr std::uint16_t kHosts = 3;

Bytes run(const StorageJob& job, BlockDevice& device, std::size_t* steps_out = nullptr) {
  std::atomic<std::size_t> steps{0};
  Bytes bytes = job.run(device, steps);
  if (steps_out != nullptr) *steps_out = steps;
  return bytes;
}

ha::StorageOp write_op(std::uint64_t id, std::size_t offset, Bytes bytes) {
  ha::StorageOp op;
  op.kind = ha::StorageOp::Kind::kWrite;
  op.id = id;
  op.offset = offset;
  op.bytes = std::move(bytes);
  return op;
}

ha::StorageOp read_all_op(std::uint64_t id) {
  ha::StorageOp op;
  op.kind = ha::StorageOp::Kind::kReadAll;
  op.id = id;
  return op;
}

TEST(StatefileJob, EngineOpsRoundTripThroughTheStatefileRegion) {
  const wire::StatefileLayout layout = wire::layout_for(kHosts);
  MemoryBlockDevice device(64 * 1024);
  const DeviceRegion statefile{8192, layout.total_size()};

  wire::GlobalSection global;
  global.generation = 5;
  global.pool_state = wire::PoolState::kActive;
  global.host_count = kHosts;
  global.base_timeout_ms = 30000;
  global.host_uuids.resize(kHosts);
  for (std::uint8_t i = 0; i < kHosts; ++i) global.host_uuids[i][0] = i;
  wire::HostSlot slot;
  slot.generation = 5;
  slot.host_count = kHosts;
  slot.host = 1;
  slot.incarnation = 2;
  slot.sequence = 11;
  slot.acks.resize(kHosts);

  run(statefile_job(write_op(1, 0, wire::encode_global(global)), statefile), device);
  run(statefile_job(write_op(2, layout.slot_offset(1, wire::slot_copy_for(slot.sequence)),
                             wire::encode_slot(slot)),
                    statefile),
      device);
  const Bytes image = run(statefile_job(read_all_op(3), statefile), device);

  ASSERT_EQ(image.size(), layout.total_size());
  const wire::StatefileImage decoded = wire::decode_statefile(image, kHosts);
  ASSERT_TRUE(decoded.global);
  EXPECT_EQ(decoded.global->generation, 5u);
  ASSERT_EQ(decoded.slots.size(), kHosts);
  ASSERT_TRUE(decoded.slots[1].slot);
  EXPECT_EQ(decoded.slots[1].slot->sequence, 11u);
  EXPECT_FALSE(decoded.slots[0].slot);

  // Every byte outside the region is untouched; each write was flushed.
  const Bytes contents = device.contents();
  EXPECT_TRUE(
      std::all_of(contents.begin(), contents.begin() + 8192, [](auto b) { return b == 0; }));
  EXPECT_THAT(device.calls(),
              ElementsAre("write 8192+4096", "flush",
                          fmt::format("write {}+4096", 8192 + layout.slot_offset(1, 1)), "flush",
                          fmt::format("read 8192+{}", layout.total_size())));
}

TEST(StatefileJob, WritesOutsideTheRegionAreRefused) {
  const wire::StatefileLayout layout = wire::layout_for(kHosts);
  MemoryBlockDevice device(64 * 1024);
  const DeviceRegion statefile{8192, layout.total_size()};
  const StorageJob past_end =
      statefile_job(write_op(1, layout.total_size(), Bytes(4096, 1)), statefile);
  try {
    run(past_end, device);
    ADD_FAILURE() << "a write past the statefile region was accepted";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("do not fit in the region"));
  }
  EXPECT_TRUE(device.calls().empty());
}

TEST(AreaWritesJob, WritesInOrderEachFlushedAndCountsSteps) {
  MemoryBlockDevice device(64 * 1024);
  const DeviceRegion area{32768, 16384};
  const std::vector<pool::AreaWrite> writes{{8192, Bytes(4096, 1)}, {0, Bytes(8192, 2)}};
  std::size_t steps = 0;
  run(area_writes_job(writes, area), device, &steps);
  EXPECT_EQ(steps, 2u);
  EXPECT_THAT(device.calls(),
              ElementsAre("write 40960+4096", "flush", "write 32768+8192", "flush"));
  EXPECT_EQ(device.contents()[40960], 1);
  EXPECT_EQ(device.contents()[32768], 2);
}

TEST(AreaWritesJob, AFailedWriteReportsTheStepsBeforeIt) {
  MemoryBlockDevice device(64 * 1024);
  const DeviceRegion area{32768, 16384};
  const std::vector<pool::AreaWrite> writes{{0, Bytes(4096, 1)}, {16384, Bytes(4096, 2)}};
  const StorageJob job = area_writes_job(writes, area);
  std::atomic<std::size_t> steps{0};
  EXPECT_THROW(job.run(device, steps), IoError);
  EXPECT_EQ(steps.load(), 1u);
  EXPECT_THAT(device.calls(), ElementsAre("write 32768+4096", "flush"));
}

TEST(RegionReadJob, ReadsTheWholeRegion) {
  MemoryBlockDevice device(64 * 1024);
  device.write(36864, Bytes(4096, 9));
  const Bytes bytes = run(region_read_job(DeviceRegion{32768, 16384}, "metadata read"), device);
  ASSERT_EQ(bytes.size(), 16384u);
  EXPECT_EQ(bytes[4096], 9);
  EXPECT_EQ(bytes[0], 0);
}

}  // namespace
}  // namespace poolha::io

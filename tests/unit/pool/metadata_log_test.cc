// The metadata log in normal operation: bootstrap, append and recover, the
// acknowledgement protocol, master-only writing, and failed writes.
#include <gtest/gtest.h>

#include "pool/database_json.h"
#include "pool/metadata_log_recovery.h"
#include "pool/metadata_log_writer.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::commit;
using test_support::open_writer;
using test_support::sample_database;
using test_support::SimulatedArea;
using test_support::vm_change;

constexpr LogGeometry kMetadataLog{256 * 1024, 512};

TEST(PoolMetadataLog, BlankAreaRecoversNothing) {
  const SimulatedArea area(kMetadataLog);
  const RecoveredLog r = area.recover();
  EXPECT_FALSE(r.newest.has_value());
  EXPECT_TRUE(r.issues.empty());
  EXPECT_EQ(r.highest_generation_seen, 0u);
}

TEST(PoolMetadataLog, GeometryRules) {
  EXPECT_TRUE(is_valid(LogGeometry{4 << 20, 512}));
  EXPECT_TRUE(is_valid(LogGeometry{64 << 20, 4096}));
  EXPECT_FALSE(is_valid(LogGeometry{4 << 20, 500}));
  EXPECT_FALSE(is_valid(LogGeometry{4 << 20, 32}));
  EXPECT_FALSE(is_valid(LogGeometry{1536, 512}));  // halves of 1.5 blocks
  EXPECT_FALSE(is_valid(LogGeometry{1024, 512}));  // halves of one block
}

TEST(PoolMetadataLog, TakeOverWritesASnapshotToBothHalves) {
  SimulatedArea area(kMetadataLog);
  const Database initial = sample_database();
  MetadataLogWriter writer(MasterToken::for_elected_master("host-b"), kMetadataLog,
                           Snapshot{initial, 41}, area.recover());
  EXPECT_FALSE(writer.taken_over());
  Result<PendingWrite> pending = writer.take_over();
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending.value().generation, 42u);
  EXPECT_EQ(pending.value().kind, RecordKind::kSnapshot);
  ASSERT_EQ(pending.value().writes.size(), 2u);
  EXPECT_EQ(pending.value().writes[0].offset, 0u);
  EXPECT_EQ(pending.value().writes[1].offset, kMetadataLog.half_size());
  EXPECT_EQ(writer.generation(), 41u);  // nothing acknowledged yet
  area.perform_all(pending.value());
  writer.acknowledge(42);
  EXPECT_TRUE(writer.is_master());
  EXPECT_EQ(writer.database().pool().master, "host-b");

  const RecoveredLog r = area.recover();
  ASSERT_TRUE(r.newest.has_value());
  EXPECT_EQ(r.newest->generation, 42u);
  EXPECT_EQ(r.newest->database, writer.database());
}

TEST(PoolMetadataLog, AppendedChangesAreRecoveredInOrder) {
  SimulatedArea area(kMetadataLog);
  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  Database reference = writer.database();
  std::uint64_t previous_offset = 0;
  for (int i = 0; i < 50; ++i) {
    Result<PendingWrite> pending = writer.append(vm_change(i));
    ASSERT_TRUE(pending.ok());
    EXPECT_EQ(pending.value().kind, RecordKind::kDelta);
    EXPECT_EQ(pending.value().generation, writer.generation() + 1);
    // Deltas follow each other, block aligned, mirrored in the other half.
    const auto& writes = pending.value().writes;
    EXPECT_GT(writes[0].offset, previous_offset);
    EXPECT_EQ(writes[0].offset % kMetadataLog.block_size, 0u);
    EXPECT_EQ(writes[1].offset, writes[0].offset + kMetadataLog.half_size());
    EXPECT_EQ(writes[0].bytes, writes[1].bytes);
    previous_offset = writes[0].offset;
    area.perform_all(pending.value());
    writer.acknowledge(pending.value().generation);
    test_support::apply_ok(reference, vm_change(i));
    EXPECT_EQ(writer.database(), reference);
  }
  const RecoveredLog r = area.recover();
  ASSERT_TRUE(r.newest.has_value());
  EXPECT_EQ(r.newest->generation, writer.generation());
  EXPECT_EQ(r.newest->database, reference);
  EXPECT_TRUE(r.issues.empty());

  // A new master continues after it, on the recovered state.
  MetadataLogWriter next = open_writer(area, "host-c", sample_database());
  EXPECT_EQ(next.generation(), writer.generation() + 1);
  EXPECT_EQ(next.database().pool().master, "host-c");
  const Generation g = commit(area, next, RemoveVm{"vm-3"});
  const RecoveredLog again = area.recover();
  EXPECT_EQ(again.newest->generation, g);
  EXPECT_EQ(again.newest->database, next.database());
}

TEST(PoolMetadataLog, InvalidChangesWriteNothing) {
  SimulatedArea area(kMetadataLog);
  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  const Generation before = writer.generation();
  Result<PendingWrite> pending = writer.append(RemoveHost{"host-a"});
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().code, ErrorCode::kStillReferenced);
  EXPECT_FALSE(writer.has_pending());
  EXPECT_EQ(commit(area, writer, vm_change(1)), before + 1);  // numbering unaffected
}

TEST(PoolMetadataLog, OnlyTheMasterWrites) {
  SimulatedArea area(kMetadataLog);
  // A host that is not in the pool cannot take over.
  MetadataLogWriter stranger(MasterToken::for_elected_master("host-x"), kMetadataLog,
                             Snapshot{sample_database(), 1}, area.recover());
  Result<PendingWrite> refused = stranger.take_over();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnknownUuid);

  // After handing the role over, the old master's writer refuses changes.
  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  SetPoolFields handover;
  handover.master = "host-b";
  commit(area, writer, handover);
  EXPECT_FALSE(writer.is_master());
  Result<PendingWrite> late = writer.append(vm_change(3));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kNotMaster);
  EXPECT_EQ(area.recover().newest->database.pool().master, "host-b");
}

TEST(PoolMetadataLog, ProtocolMisuseAborts) {
  SimulatedArea area(kMetadataLog);
  MetadataLogWriter fresh(MasterToken::for_elected_master("host-a"), kMetadataLog,
                          Snapshot{sample_database(), 0}, area.recover());
  EXPECT_DEATH((void)fresh.append(vm_change(1)), "before take_over");

  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  Result<PendingWrite> pending = writer.append(vm_change(1));
  ASSERT_TRUE(pending.ok());
  EXPECT_DEATH((void)writer.append(vm_change(2)), "before the outstanding one");
  EXPECT_DEATH(writer.acknowledge(pending.value().generation + 1), "another generation");
  writer.acknowledge(pending.value().generation);
  EXPECT_DEATH(writer.acknowledge(pending.value().generation), "nothing outstanding");
}

TEST(PoolMetadataLog, AbandonedWriteIsFollowedBySnapshot) {
  for (std::size_t completed : {0u, 1u}) {
    SimulatedArea area(kMetadataLog);
    MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
    commit(area, writer, vm_change(1));
    const Database acked = writer.database();
    Result<PendingWrite> pending = writer.append(vm_change(2));
    ASSERT_TRUE(pending.ok());
    for (std::size_t i = 0; i < completed; ++i) area.perform(pending.value().writes[i]);
    writer.abandon(completed);
    EXPECT_EQ(writer.database(), acked);

    Result<PendingWrite> next = writer.append(vm_change(3));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next.value().kind, RecordKind::kSnapshot);
    EXPECT_EQ(next.value().generation, pending.value().generation + 1);
    // The half that may hold the dropped record intact is rewritten last.
    const std::uint64_t first_offset = next.value().writes[0].offset;
    EXPECT_EQ(first_offset, completed == 0 ? 0u : kMetadataLog.half_size()) << completed;
    area.perform_all(next.value());
    writer.acknowledge(next.value().generation);
    const RecoveredLog r = area.recover();
    EXPECT_EQ(r.newest->generation, next.value().generation);
    EXPECT_EQ(r.newest->database, writer.database());
  }
}

TEST(PoolMetadataLog, SnapshotLargerThanAHalfIsRefused) {
  const LogGeometry tiny{2048, 512};
  SimulatedArea area(tiny);
  MetadataLogWriter writer(MasterToken::for_elected_master("host-a"), tiny,
                           Snapshot{sample_database(), 0}, area.recover());
  Result<PendingWrite> pending = writer.take_over();
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().code, ErrorCode::kAreaTooSmall);
}

TEST(PoolMetadataLog, AreaReusedFromAnEarlierLogKeepsNumberingUp) {
  SimulatedArea area(kMetadataLog);
  {
    MetadataLogWriter old = open_writer(area, "host-a", sample_database());
    for (int i = 0; i < 10; ++i) commit(area, old, vm_change(i));
  }
  const RecoveredLog r = area.recover();
  // HA re-enabled from a database whose own generation is older than the area's.
  MetadataLogWriter writer(MasterToken::for_elected_master("host-a"), kMetadataLog,
                           Snapshot{sample_database(), 3}, r);
  Result<PendingWrite> pending = writer.take_over();
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending.value().generation, r.highest_generation_seen + 1);
}

}  // namespace
}  // namespace poolha::pool

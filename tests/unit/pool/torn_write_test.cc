// A crash while the last write of a sequence is in flight: recovery from
// every prefix length of each of its writes, and from random garbage, finds
// every acknowledged generation and never a partly applied record.
#include <gtest/gtest.h>

#include <variant>

#include "crash_points.h"
#include "pool/log_record.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::commit;
using test_support::CrashExpectation;
using test_support::CrashSweep;
using test_support::open_writer;
using test_support::sample_database;
using test_support::SimulatedArea;
using test_support::sweep_crash_points;
using test_support::vm_change;

constexpr LogGeometry kTornWriteLog{64 * 1024, 512};

TEST(PoolTornWrite, LastDeltaAtEveryPrefix) {
  SimulatedArea area(kTornWriteLog);
  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  for (int i = 0; i < 5; ++i) commit(area, writer, vm_change(i));

  const Change last = RemoveVm{"vm-3"};
  Database after = writer.database();
  test_support::apply_ok(after, last);
  const CrashExpectation expectation{writer.generation(), writer.database(),
                                     writer.generation() + 1, after};
  Result<PendingWrite> pending = writer.append(last);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value().kind, RecordKind::kDelta);
  sweep_crash_points(area, pending.value(), expectation, CrashSweep{}, 1);
}

TEST(PoolTornWrite, LastDeltaOfEveryKindOfChange) {
  SetPoolFields pool_change;
  pool_change.ha_timeout = 30;
  const Change changes[] = {UpsertHost{test_support::make_host("host-new")},
                            UpsertSr{test_support::make_sr("sr-2", true)}, RemoveSr{"sr-local"},
                            pool_change};
  std::uint64_t seed = 10;
  for (const Change& change : changes) {
    SimulatedArea area(kTornWriteLog);
    MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
    commit(area, writer, vm_change(1));
    Database after = writer.database();
    test_support::apply_ok(after, change);
    const CrashExpectation expectation{writer.generation(), writer.database(),
                                       writer.generation() + 1, after};
    Result<PendingWrite> pending = writer.append(change);
    ASSERT_TRUE(pending.ok());
    sweep_crash_points(area, pending.value(), expectation, CrashSweep{true, 4, 0}, seed++);
  }
}

TEST(PoolTornWrite, TakeOverSnapshotAtEveryPrefix) {
  SimulatedArea area(kTornWriteLog);
  {
    MetadataLogWriter old_master = open_writer(area, "host-a", sample_database());
    for (int i = 0; i < 4; ++i) commit(area, old_master, vm_change(i));
  }
  const RecoveredLog recovered = area.recover();
  ASSERT_TRUE(recovered.newest.has_value());
  MetadataLogWriter writer(MasterToken::for_elected_master("host-b"), kTornWriteLog,
                           *recovered.newest, recovered);
  Database after = recovered.newest->database;
  SetPoolFields master;
  master.master = "host-b";
  test_support::apply_ok(after, master);
  const CrashExpectation expectation{recovered.newest->generation, recovered.newest->database,
                                     recovered.newest->generation + 1, after};
  Result<PendingWrite> pending = writer.take_over();
  ASSERT_TRUE(pending.ok());
  sweep_crash_points(area, pending.value(), expectation, CrashSweep{}, 2);
}

TEST(PoolTornWrite, FirstTakeOverOnABlankAreaIsAllOrNothing) {
  const SimulatedArea blank(kTornWriteLog);
  MetadataLogWriter writer(MasterToken::for_elected_master("host-a"), kTornWriteLog,
                           Snapshot{sample_database(), 7}, blank.recover());
  Result<PendingWrite> pending = writer.take_over();
  ASSERT_TRUE(pending.ok());
  const AreaWrite& first = pending.value().writes[0];
  // The record counts once its header and payload are down; padding is not needed.
  const auto view = std::get<RecordView>(read_record(first.bytes, kTornWriteLog.block_size));
  const std::size_t covered = kRecordHeaderSize + view.payload.size();
  for (std::size_t length = 0; length <= first.bytes.size(); ++length) {
    SimulatedArea area = blank;
    area.perform_prefix(first, length);
    const RecoveredLog r = area.recover();
    ASSERT_EQ(r.newest.has_value(), length >= covered) << length;
    if (r.newest) {
      EXPECT_EQ(r.newest->generation, 8u);
      EXPECT_EQ(r.newest->database.pool().master, "host-a");
    }
  }
}

}  // namespace
}  // namespace poolha::pool

// When the log reaches the end of its half, the next record is a fresh
// snapshot at offset 0 instead: the area never overflows, and a crash at any
// point of a compaction loses nothing acknowledged.
#include <gtest/gtest.h>

#include "crash_points.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::commit;
using test_support::CrashExpectation;
using test_support::CrashSweep;
using test_support::open_writer;
using test_support::sample_database;
using test_support::SimulatedArea;
using test_support::vm_change;

// Halves of 8 KiB: room for the sample snapshot with kVms more VMs, and a
// few deltas after it.
constexpr LogGeometry kSmall{16 * 1024, 512};
constexpr int kVms = 8;

TEST(PoolCompaction, AreaNeverOverflows) {
  SimulatedArea area(kSmall);
  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  Database reference = writer.database();
  int snapshots = 0;
  for (int i = 0; i < 300; ++i) {
    Result<PendingWrite> pending = writer.append(vm_change(i, kVms));
    ASSERT_TRUE(pending.ok()) << pending.error().message();
    for (const AreaWrite& w : pending.value().writes) {
      ASSERT_LE(w.offset % kSmall.half_size() + w.bytes.size(), kSmall.half_size());
    }
    if (pending.value().kind == RecordKind::kSnapshot) {
      ++snapshots;
      EXPECT_EQ(pending.value().writes[0].offset, 0u);
      EXPECT_EQ(pending.value().writes[1].offset, kSmall.half_size());
    }
    area.perform_all(pending.value());
    writer.acknowledge(pending.value().generation);
    test_support::apply_ok(reference, vm_change(i, kVms));
    if (i % 10 == 0) {
      const RecoveredLog r = area.recover();
      ASSERT_TRUE(r.newest.has_value());
      EXPECT_EQ(r.newest->generation, writer.generation());
      EXPECT_EQ(r.newest->database, reference);
    }
  }
  EXPECT_GT(snapshots, 20);
}

TEST(PoolCompaction, CrashAtEveryPointOfSeveralCompactions) {
  SimulatedArea area(kSmall);
  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  int compactions = 0;
  for (int i = 0; compactions < 3 && i < 100; ++i) {
    const Change change = vm_change(i, kVms);
    MetadataLogWriter probe = writer;  // look at the next record without committing to it
    Result<PendingWrite> pending = probe.append(change);
    ASSERT_TRUE(pending.ok());
    if (pending.value().kind == RecordKind::kSnapshot) {
      ++compactions;
      Database after = writer.database();
      test_support::apply_ok(after, change);
      const CrashExpectation expectation{writer.generation(), writer.database(),
                                         pending.value().generation, after};
      // Every prefix length for the first; the later ones around the edges
      // and every 7th byte.
      const CrashSweep sweep{compactions == 1, 8, 211};
      sweep_crash_points(area, pending.value(), expectation, sweep,
                         static_cast<std::uint64_t>(compactions));
    }
    commit(area, writer, change);
  }
  EXPECT_EQ(compactions, 3);
}

// Compaction leaves the previous chain's records past the new snapshot; they
// must never be mistaken for a continuation, even after many rounds.
TEST(PoolCompaction, OldChainsAreNeverReplayed) {
  SimulatedArea area(kSmall);
  MetadataLogWriter writer = open_writer(area, "host-a", sample_database());
  for (int i = 0; i < 120; ++i) {
    commit(area, writer, vm_change(i, kVms));
    const RecoveredLog r = area.recover();
    ASSERT_TRUE(r.newest.has_value());
    ASSERT_EQ(r.newest->generation, writer.generation()) << i;
    ASSERT_EQ(r.newest->database, writer.database()) << i;
    EXPECT_TRUE(r.issues.empty()) << i << ": " << r.issues.front().detail;
  }
}

TEST(PoolCompaction, CrashesDuringConsecutiveCompactionsAndTakeOvers) {
  // Crash half way through the first write of every compaction, then let a
  // new master take over (its snapshot is itself cut short once) and go on.
  SimulatedArea area(kSmall);
  Database reference = sample_database();
  {
    MetadataLogWriter first = open_writer(area, "host-a", reference);
    reference = first.database();
  }
  int crashes = 0;
  for (int round = 0; round < 6; ++round) {
    const RecoveredLog recovered = area.recover();
    ASSERT_TRUE(recovered.newest.has_value());
    ASSERT_EQ(recovered.newest->database, reference) << round;
    const char* master = round % 2 ? "host-a" : "host-b";
    MetadataLogWriter writer(MasterToken::for_elected_master(master), kSmall, *recovered.newest,
                             recovered);
    const auto doomed_result = [&](Database db) {
      SetPoolFields record_master;
      record_master.master = master;
      test_support::apply_ok(db, record_master);
      return db;
    };
    {
      // An interrupted take-over first.
      MetadataLogWriter doomed = writer;
      Result<PendingWrite> take_over = doomed.take_over();
      ASSERT_TRUE(take_over.ok());
      const AreaWrite& w = take_over.value().writes[0];
      SimulatedArea crashed = area;
      crashed.perform_prefix(w, w.bytes.size() / 2);
      // The bytes not written may already match (the old snapshot differs only
      // in the master), so the new record may count as complete.
      const CrashExpectation expectation{recovered.newest->generation, reference,
                                         take_over.value().generation, doomed_result(reference)};
      test_support::expect_recovered(crashed.recover(), expectation, false, "take-over");
    }
    Result<PendingWrite> take_over = writer.take_over();
    area.perform_all(take_over.value());
    writer.acknowledge(take_over.value().generation);
    reference = writer.database();
    for (int i = 0;; ++i) {
      const Change change = vm_change(round * 100 + i, kVms);
      Result<PendingWrite> pending = writer.append(change);
      ASSERT_TRUE(pending.ok());
      if (pending.value().kind == RecordKind::kSnapshot) {
        const AreaWrite& w = pending.value().writes[0];
        area.perform_prefix(w, w.bytes.size() / 2);
        ++crashes;
        Database after = reference;
        test_support::apply_ok(after, change);
        const CrashExpectation expectation{writer.generation(), reference,
                                           pending.value().generation, after};
        const RecoveredLog r = area.recover();
        test_support::expect_recovered(r, expectation, false, "compaction");
        reference = r.newest->database;
        break;
      }
      area.perform_all(pending.value());
      writer.acknowledge(pending.value().generation);
      test_support::apply_ok(reference, change);
    }
  }
  EXPECT_EQ(crashes, 6);
}

}  // namespace
}  // namespace poolha::pool

// Damage to one copy of an acknowledged record (bit flips anywhere in it, or
// the whole copy lost) never loses the write: recovery uses the other half's
// copy, and a new master's first snapshot restores two intact copies.
#include <gtest/gtest.h>

#include <variant>

#include "crash_points.h"
#include "pool/log_record.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::commit;
using test_support::open_writer;
using test_support::sample_database;
using test_support::SimulatedArea;
using test_support::vm_change;

constexpr LogGeometry kCorruptionLog{64 * 1024, 512};

struct StoredRecord {
  std::uint64_t offset;        // within a half
  std::size_t covered_length;  // header + payload: what the checksum protects
};

// A log holding a take-over snapshot and `deltas` deltas, all acknowledged.
struct AckedLog {
  SimulatedArea area{kCorruptionLog};
  std::vector<StoredRecord> records;
  Generation generation = 0;
  std::optional<Database> database;
};

StoredRecord describe(const PendingWrite& pending) {
  const AreaWrite& w = pending.writes[0];
  const auto view = std::get<RecordView>(read_record(w.bytes, kCorruptionLog.block_size));
  return {w.offset % kCorruptionLog.half_size(), kRecordHeaderSize + view.payload.size()};
}

AckedLog build_log(int deltas) {
  AckedLog log;
  const RecoveredLog blank = log.area.recover();
  MetadataLogWriter writer(MasterToken::for_elected_master("host-a"), kCorruptionLog,
                           Snapshot{sample_database(), 0}, blank);
  Result<PendingWrite> take_over = writer.take_over();
  log.records.push_back(describe(take_over.value()));
  log.area.perform_all(take_over.value());
  writer.acknowledge(take_over.value().generation);
  for (int i = 0; i < deltas; ++i) {
    Result<PendingWrite> pending = writer.append(vm_change(i));
    log.records.push_back(describe(pending.value()));
    log.area.perform_all(pending.value());
    writer.acknowledge(pending.value().generation);
  }
  log.generation = writer.generation();
  log.database = writer.database();
  return log;
}

void flip_bit(SimulatedArea& area, int half, std::uint64_t offset, std::size_t bit) {
  area.bytes()[kCorruptionLog.half_start(half) + offset + bit / 8] ^=
      static_cast<std::uint8_t>(1u << (bit % 8));
}

void expect_everything(const AckedLog& log, const SimulatedArea& area, const std::string& where) {
  const RecoveredLog r = area.recover();
  ASSERT_TRUE(r.newest.has_value()) << where;
  EXPECT_EQ(r.newest->generation, log.generation) << where;
  EXPECT_EQ(r.newest->database, *log.database) << where;
}

TEST(PoolCorruption, BitFlipAnywhereInEitherCopyOfAnyRecord) {
  const AckedLog log = build_log(6);
  for (std::size_t index = 0; index < log.records.size(); ++index) {
    const StoredRecord& record = log.records[index];
    for (int half = 0; half < 2; ++half) {
      // Every bit of the header, and a spread of payload bits through the last one.
      std::vector<std::size_t> bits;
      for (std::size_t b = 0; b < kRecordHeaderSize * 8; ++b) bits.push_back(b);
      for (std::size_t b = kRecordHeaderSize * 8; b < record.covered_length * 8; b += 37) {
        bits.push_back(b);
      }
      bits.push_back(record.covered_length * 8 - 1);
      for (std::size_t bit : bits) {
        SimulatedArea area = log.area;
        flip_bit(area, half, record.offset, bit);
        const std::string where = "record " + std::to_string(index) + " half " +
                                  std::to_string(half) + " bit " + std::to_string(bit);
        const RecoveredLog r = area.recover();
        ASSERT_TRUE(r.newest.has_value()) << where;
        EXPECT_EQ(r.newest->generation, log.generation) << where;
        EXPECT_EQ(r.newest->database, *log.database) << where;
        bool reported = false;
        for (const RecoveryIssue& issue : r.issues) {
          reported |= issue.kind == RecoveryIssue::Kind::kRepairedCopy && issue.half == half &&
                      issue.offset == record.offset;
        }
        EXPECT_TRUE(reported) << where;
        EXPECT_EQ(r.first_half_to_overwrite, half) << where;
      }
    }
  }
}

TEST(PoolCorruption, WholeCopyZeroedOrRandom) {
  const AckedLog log = build_log(6);
  test_support::TestRandom random(3);
  for (std::size_t index = 0; index < log.records.size(); ++index) {
    for (int half = 0; half < 2; ++half) {
      for (bool zero : {true, false}) {
        SimulatedArea area = log.area;
        const std::uint64_t start = kCorruptionLog.half_start(half) + log.records[index].offset;
        for (std::size_t i = 0; i < log.records[index].covered_length; ++i) {
          area.bytes()[start + i] = zero ? 0 : random.byte();
        }
        expect_everything(log, area, "record " + std::to_string(index));
      }
    }
  }
}

TEST(PoolCorruption, DifferentRecordsDamagedInEachHalf) {
  const AckedLog log = build_log(6);
  for (std::size_t in_half0 = 0; in_half0 < log.records.size(); ++in_half0) {
    for (std::size_t in_half1 = 0; in_half1 < log.records.size(); ++in_half1) {
      if (in_half0 == in_half1) continue;
      SimulatedArea area = log.area;
      flip_bit(area, 0, log.records[in_half0].offset, 77);
      flip_bit(area, 1, log.records[in_half1].offset, 300);
      expect_everything(log, area, std::to_string(in_half0) + " and " + std::to_string(in_half1));
    }
  }
}

TEST(PoolCorruption, NewMasterRestoresTwoIntactCopies) {
  const AckedLog log = build_log(6);
  for (int half = 0; half < 2; ++half) {
    SimulatedArea area = log.area;
    flip_bit(area, half, log.records[3].offset, 100);
    MetadataLogWriter writer = open_writer(area, "host-b", sample_database());
    Database expected = *log.database;
    SetPoolFields master;
    master.master = "host-b";
    test_support::apply_ok(expected, master);
    EXPECT_EQ(writer.database(), expected);
    // The take-over snapshot is now the only record that matters; damage to
    // either copy of it is survivable again.
    for (int damaged = 0; damaged < 2; ++damaged) {
      SimulatedArea again = area;
      flip_bit(again, damaged, 0, 300);
      const RecoveredLog r = again.recover();
      ASSERT_TRUE(r.newest.has_value());
      EXPECT_EQ(r.newest->generation, writer.generation());
      EXPECT_EQ(r.newest->database, expected);
    }
  }
}

TEST(PoolCorruption, CrashDuringTakeOverOfADamagedLog) {
  const AckedLog log = build_log(5);
  for (int half = 0; half < 2; ++half) {
    for (std::size_t index : {std::size_t{0}, std::size_t{2}, log.records.size() - 1}) {
      SimulatedArea area = log.area;
      flip_bit(area, half, log.records[index].offset, 200);
      const RecoveredLog recovered = area.recover();
      ASSERT_TRUE(recovered.newest.has_value());
      EXPECT_EQ(recovered.first_half_to_overwrite, half);
      MetadataLogWriter writer(MasterToken::for_elected_master("host-c"), kCorruptionLog,
                               *recovered.newest, recovered);
      Database after = *log.database;
      SetPoolFields master;
      master.master = "host-c";
      test_support::apply_ok(after, master);
      const test_support::CrashExpectation expectation{log.generation, *log.database,
                                                       log.generation + 1, after};
      Result<PendingWrite> pending = writer.take_over();
      ASSERT_TRUE(pending.ok());
      test_support::sweep_crash_points(area, pending.value(), expectation,
                                       test_support::CrashSweep{false, 4, 0},
                                       static_cast<std::uint64_t>(half * 10 + index));
    }
  }
}

}  // namespace
}  // namespace poolha::pool

// The oracle on synthetic histories: clean runs pass, and each violation it
// promises to find (double run, lost acknowledged record, damaged log) is
// found and reported with what a person needs to look into it.
#include "oracle/oracle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "oracle/oracle_error.h"
#include "oracle/verdict_report.h"
#include "oracle_test_support.h"

namespace poolha::oracle {
namespace {

using testing::boot_id;
using ::testing::HasSubstr;
using testing::History;
using testing::judge_one;
using testing::kMs;
using testing::kVmA;
using testing::kVmB;

std::vector<CorruptionKind> kinds_of(const Verdict& verdict) {
  std::vector<CorruptionKind> kinds;
  for (const Corruption& c : verdict.corruptions) kinds.push_back(c.kind);
  return kinds;
}

TEST(Oracle, OneCleanBootPasses) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 10, 1000 * kMs);
  const Verdict verdict = judge_one(history);
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
  ASSERT_EQ(verdict.vms.size(), 1u);
  EXPECT_EQ(verdict.vms[0].vm, kVmA);
  EXPECT_EQ(verdict.vms[0].boots, 1u);
  EXPECT_EQ(verdict.vms[0].records, 10u);
  EXPECT_EQ(verdict.vms[0].acked, 10u);
}

TEST(Oracle, ARestartContinuingTheLogIsClean) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 5, 1000 * kMs);  // ends at 1004 ms
  history.boot_run(boot_id(2), 1, 7, 2000 * kMs);  // after a failover
  history.boot_run(boot_id(3), 1, 2, 3000 * kMs);
  const Verdict verdict = judge_one(history);
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
  EXPECT_EQ(verdict.vms[0].boots, 3u);
  EXPECT_EQ(verdict.vms[0].records, 14u);
}

TEST(Oracle, RecordsWrittenButNeverAcknowledgedAreFine) {
  // The writer died between the disk write and the ack line.
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 3, 1000 * kMs);
  history.record(boot_id(1), 4, 1003 * kMs, /*acknowledged=*/false);
  history.boot_run(boot_id(2), 1, 3, 2000 * kMs);
  const Verdict verdict = judge_one(history);
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
  EXPECT_EQ(verdict.vms[0].records, 7u);
  EXPECT_EQ(verdict.vms[0].acked, 6u);
}

TEST(Oracle, BootsTouchingWithoutOverlapAreClean) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 5, 1000 * kMs);      // last record at 1004 ms
  history.boot_run(boot_id(2), 1, 5, 1004 * kMs + 1);  // 1 ns later
  const Verdict verdict = judge_one(history);
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
}

TEST(Oracle, TwoBootsOverlappingByOneMillisecondAreADoubleRun) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 5, 1000 * kMs);  // 1000..1004 ms
  history.boot_run(boot_id(2), 1, 5, 1003 * kMs);  // 1003..1007 ms
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(verdict.overlaps.size(), 1u) << format_verdict(verdict);
  const Overlap& overlap = verdict.overlaps[0];
  EXPECT_EQ(overlap.vm, kVmA);
  EXPECT_EQ(overlap.first, boot_id(1));
  EXPECT_EQ(overlap.second, boot_id(2));
  EXPECT_EQ(overlap.overlap_ns, 1 * kMs);
  EXPECT_FALSE(verdict.clean());
  EXPECT_EQ(verdict.vms[0].overlaps, 1u);
  const std::string text = format_verdict(verdict);
  EXPECT_THAT(text, HasSubstr("1 OVERLAPS"));
  EXPECT_THAT(text, HasSubstr("DOUBLE RUN: boots " + boot_id(1).hex() + " and " + boot_id(2).hex() +
                              " overlap by 1.000 ms"));
  EXPECT_THAT(text, HasSubstr("verdict: FAIL (1 double runs"));
}

TEST(Oracle, ABootThatOverwroteAnotherIsStillCaughtThroughTheAcks) {
  // Boot 2 started while boot 1 ran and overwrote boot 1's later records;
  // only boot 1's ack lines show how long it ran.
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 3, 1000 * kMs);
  history.boot_run(boot_id(2), 1, 3, 1005 * kMs);
  history.ack(boot_id(1), 4, 1006 * kMs);
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(verdict.overlaps.size(), 1u);
  EXPECT_EQ(verdict.overlaps[0].overlap_ns, 1 * kMs);
  ASSERT_EQ(verdict.lost.size(), 1u);
  EXPECT_EQ(verdict.lost[0].sequence, 4u);
}

TEST(Oracle, ThreeMutuallyOverlappingBootsGiveEveryPair) {
  History history(kVmA);
  history.record(boot_id(1), 1, 10 * kMs).record(boot_id(2), 1, 11 * kMs);
  history.record(boot_id(3), 1, 12 * kMs).record(boot_id(1), 2, 20 * kMs);
  history.record(boot_id(2), 2, 21 * kMs).record(boot_id(3), 2, 22 * kMs);
  const Verdict verdict = judge_one(history);
  EXPECT_EQ(verdict.overlaps.size(), 3u);
}

TEST(Oracle, AMissingAcknowledgedRecordIsLost) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 4, 1000 * kMs);
  history.ack(boot_id(1), 5, 1004 * kMs);  // acknowledged, not on the disk
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(verdict.lost.size(), 1u);
  const LostRecord& lost = verdict.lost[0];
  EXPECT_EQ(lost.vm, kVmA);
  EXPECT_EQ(lost.boot, boot_id(1));
  EXPECT_EQ(lost.sequence, 5u);
  EXPECT_EQ(lost.time_ns, 1004 * kMs);
  EXPECT_EQ(lost.source, "acks:5");
  EXPECT_TRUE(verdict.corruptions.empty()) << format_verdict(verdict);
  EXPECT_EQ(verdict.vms[0].lost, 1u);
  EXPECT_THAT(format_verdict(verdict), HasSubstr("LOST: boot " + boot_id(1).hex() + " sequence 5"));
}

TEST(Oracle, AnAcknowledgedRecordMissingInTheMiddleIsLostNotAGap) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 2, 1000 * kMs);
  history.ack(boot_id(1), 3, 1002 * kMs);
  history.record(boot_id(1), 4, 1003 * kMs);
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(verdict.lost.size(), 1u);
  EXPECT_EQ(verdict.lost[0].sequence, 3u);
  EXPECT_TRUE(verdict.corruptions.empty()) << format_verdict(verdict);
}

TEST(Oracle, AnUnacknowledgedRecordMissingBelowAWrittenOneIsAGap) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 2, 1000 * kMs);
  history.record(boot_id(1), 5, 1005 * kMs);
  history.record(boot_id(1), 7, 1007 * kMs);
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kSequenceGap});
  EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("sequences 3..4, 6 missing"));
  EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("below 7"));
}

TEST(Oracle, ABootWhoseFirstRecordsAreGoneHasAGap) {
  History history(kVmA);
  history.boot_run(boot_id(1), 3, 4, 1000 * kMs);
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kSequenceGap});
  EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("sequences 1..2 missing"));
}

TEST(Oracle, ATornSectorInTheMiddleIsReported) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 3, 1000 * kMs);
  Sector torn = encode_record({kVmA, boot_id(1), 4, 1003 * kMs});
  std::fill(torn.begin() + 200, torn.end(), std::uint8_t{0});
  history.put(history.next_sector(), torn).skip(1);
  history.ack(boot_id(1), 4, 1003 * kMs);
  history.boot_run(boot_id(1), 5, 6, 1004 * kMs);
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kBadSector});
  EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("sector 4 is damaged (bad checksum)"));
  // What the sector held was acknowledged: it is lost too.
  ASSERT_EQ(verdict.lost.size(), 1u);
  EXPECT_EQ(verdict.lost[0].sequence, 4u);
  EXPECT_THAT(format_verdict(verdict), HasSubstr("CORRUPT (damaged sector)"));
}

TEST(Oracle, AHoleInsideTheLogIsReported) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 3, 1000 * kMs);
  history.skip(2);
  history.boot_run(boot_id(2), 1, 3, 2000 * kMs);
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kHole});
  EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("sectors 4..5 empty inside the log"));
}

TEST(Oracle, RecordsOfAnotherVmAreReported) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 3, 1000 * kMs);
  history.put(history.next_sector(), encode_record({kVmB, boot_id(9), 1, 1003 * kMs})).skip(1);
  const Verdict verdict = judge_one(history);
  ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kForeignRecord});
  EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("1 records of VM " + kVmB));
  EXPECT_EQ(verdict.vms[0].records, 3u);
}

TEST(Oracle, HeaderProblemsAreReported) {
  {
    History other(kVmA);
    other.put(0, encode_header({kVmB}));
    other.boot_run(boot_id(1), 1, 2, 1000 * kMs);
    EXPECT_EQ(kinds_of(judge_one(other)), std::vector{CorruptionKind::kHeaderOtherVm});
  }
  {
    History missing(kVmA);
    missing.put(0, Sector{});
    missing.boot_run(boot_id(1), 1, 2, 1000 * kMs);
    EXPECT_EQ(kinds_of(judge_one(missing)), std::vector{CorruptionKind::kHeaderMissing});
  }
  {
    History damaged(kVmA);
    Sector header = encode_header({kVmA});
    header[9] ^= 1;
    damaged.put(0, header);
    const Verdict verdict = judge_one(damaged);
    ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kHeaderDamaged});
    EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("bad checksum"));
  }
}

TEST(Oracle, ABlankDiskOfAVmThatNeverRanIsClean) {
  const std::vector<std::uint8_t> image(64 * kSectorSize);
  const std::vector<VmDisk> disks{{kVmA, "blank", scan_disk_image(image)}};
  const Verdict verdict = judge(disks, {});
  EXPECT_TRUE(verdict.clean());
  EXPECT_EQ(verdict.vms[0].boots, 0u);
}

TEST(Oracle, DuplicateOutOfOrderAndBackwardsRecordsAreReported) {
  {
    History duplicate(kVmA);
    duplicate.boot_run(boot_id(1), 1, 3, 1000 * kMs).record(boot_id(1), 3, 1002 * kMs);
    const Verdict verdict = judge_one(duplicate);
    const auto kinds = kinds_of(verdict);
    EXPECT_THAT(kinds, ::testing::Contains(CorruptionKind::kDuplicateRecord));
    EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("sequence 3 in sectors 3 and 4"));
  }
  {
    History disorder(kVmA);
    disorder.record(boot_id(1), 2, 1000 * kMs).record(boot_id(1), 1, 1001 * kMs);
    EXPECT_EQ(kinds_of(judge_one(disorder)), std::vector{CorruptionKind::kSequenceOrder});
  }
  {
    History backwards(kVmA);
    backwards.record(boot_id(1), 1, 1000 * kMs).record(boot_id(1), 2, 999 * kMs);
    const Verdict verdict = judge_one(backwards);
    ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kTimeOrder});
    EXPECT_THAT(verdict.corruptions[0].detail, HasSubstr("1000000 ns older than sector 1"));
  }
}

TEST(Oracle, AckLinesThatDisagreeWithTheDiskOrEachOtherAreReported) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 2, 1000 * kMs);
  history.record(boot_id(1), 3, 1002 * kMs, false).ack(boot_id(1), 3, 1500 * kMs);
  history.ack(boot_id(1), 2, 1001 * kMs);  // an identical duplicate: counted once
  history.ack(boot_id(1), 1, 1);           // conflicts with the first line for sequence 1
  const Verdict verdict = judge_one(history);
  std::vector<CorruptionKind> kinds = kinds_of(verdict);
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector{CorruptionKind::kAckMismatch, CorruptionKind::kAckConflict}));
  EXPECT_EQ(verdict.vms[0].acked, 3u);
}

TEST(Oracle, AcksForAVmWithoutADiskAreReported) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 2, 1000 * kMs);
  std::vector<AckEntry> acks = history.acks();
  acks.push_back({kVmB, boot_id(2), 1, 5, "other:1"});
  const std::vector<VmDisk> disks{history.disk()};
  const Verdict verdict = judge(disks, acks);
  ASSERT_EQ(kinds_of(verdict), std::vector{CorruptionKind::kAckForUnknownVm});
  EXPECT_EQ(verdict.corruptions[0].vm, kVmB);
  EXPECT_THAT(format_verdict(verdict), HasSubstr("vm " + kVmB + ": CORRUPT"));
}

TEST(Oracle, TheSameVmGivenTwoDisksIsAnInputError) {
  History history(kVmA);
  const std::vector<VmDisk> disks{history.disk(), history.disk()};
  EXPECT_THROW(judge(disks, {}), OracleInputError);
}

TEST(Oracle, VmsAreJudgedIndependently) {
  History a(kVmA);
  a.boot_run(boot_id(1), 1, 3, 1000 * kMs);
  History b(kVmB);
  // The same times as VM A's boot: overlap across VMs is no double run.
  b.boot_run(boot_id(2), 1, 3, 1000 * kMs);
  b.ack(boot_id(2), 4, 1003 * kMs);
  std::vector<AckEntry> acks = a.acks();
  acks.insert(acks.end(), b.acks().begin(), b.acks().end());
  const std::vector<VmDisk> disks{a.disk(), b.disk()};
  const Verdict verdict = judge(disks, acks);
  EXPECT_TRUE(verdict.overlaps.empty());
  ASSERT_EQ(verdict.lost.size(), 1u);
  EXPECT_EQ(verdict.lost[0].vm, kVmB);
  EXPECT_EQ(verdict.vms[0].lost, 0u);
  EXPECT_EQ(verdict.vms[1].lost, 1u);
}

TEST(VerdictReport, CleanVerdictTextAndSummary) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 4, 1000 * kMs).boot_run(boot_id(2), 1, 2, 2000 * kMs);
  Verdict verdict = judge_one(history);
  verdict.warnings.push_back("acks:9: torn line skipped");
  const std::string text = format_verdict(verdict);
  EXPECT_THAT(text, HasSubstr("vm " + kVmA +
                              ": 2 boots, 6 records, 6 acked, no overlap, 0 lost, 0 corrupt\n"));
  EXPECT_THAT(text, HasSubstr("warning: acks:9: torn line skipped\n"));
  EXPECT_THAT(text, HasSubstr("verdict: PASS (1 VMs, 2 boots, 6 records, 6 acked)\n"));
  const nlohmann::json summary = verdict_summary_json(verdict);
  EXPECT_EQ(summary["ok"], true);
  EXPECT_EQ(summary["vms"], 1);
  EXPECT_EQ(summary["boots"], 2);
  EXPECT_EQ(summary["records"], 6);
  EXPECT_EQ(summary["acked"], 6);
  EXPECT_EQ(summary["overlaps"], 0);
  EXPECT_EQ(summary["lost"], 0);
  EXPECT_EQ(summary["corruptions"], 0);
  EXPECT_EQ(summary["warnings"], 1);
}

TEST(VerdictReport, DetailsAreCappedInTextButCompleteInJson) {
  History history(kVmA);
  history.boot_run(boot_id(1), 1, 2, 1000 * kMs);
  for (std::uint64_t s = 3; s <= 30; ++s) history.ack(boot_id(1), s, 1000 * kMs + s);
  const Verdict verdict = judge_one(history);
  EXPECT_EQ(verdict.lost.size(), 28u);
  EXPECT_THAT(format_verdict(verdict, 5), HasSubstr("  ... and 23 more\n"));
  const nlohmann::json full = verdict_json(verdict);
  EXPECT_EQ(full["ok"], false);
  EXPECT_EQ(full["lost"], 28);
  EXPECT_EQ(full["lost_details"].size(), 28u);
  EXPECT_EQ(full["lost_details"][0]["sequence"], 3);
  EXPECT_EQ(full["per_vm"][0]["lost"], 28);
}

}  // namespace
}  // namespace poolha::oracle

// The disk writer on real files: it formats a blank disk, acknowledges only
// durable records, continues the log after a restart, refuses disks that are
// not its own, dies on a full or failing disk, stops cleanly, and two writers
// on one disk at once (a double run) are caught by the oracle.
#include "oracle/disk_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "../support/temp_dir.h"
#include "io/file_block_device.h"
#include "io/io_error.h"
#include "oracle/commands.h"
#include "oracle/verdict_report.h"
#include "oracle_test_support.h"

namespace poolha::oracle {
namespace {

using testing::boot_id;
using testing::error_of;
using ::testing::HasSubstr;
using testing::kVmA;
using testing::kVmB;
using testing::make_zero_file;

// Fails every write after the first `good_writes`, like a disk whose path was
// cut: the writer must die and acknowledge nothing it could not write.
class FailingBlockDevice final : public io::BlockDevice {
 public:
  FailingBlockDevice(io::BlockDevice& inner, std::size_t good_writes)
      : inner_(inner), good_writes_(good_writes) {}
  const std::string& name() const override { return inner_.name(); }
  std::uint64_t size() const override { return inner_.size(); }
  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) override {
    return inner_.read(offset, length);
  }
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    if (writes_++ >= good_writes_) throw io::IoError("write failed: injected I/O error");
    inner_.write(offset, bytes);
  }
  void flush() override { inner_.flush(); }

 private:
  io::BlockDevice& inner_;
  std::size_t good_writes_;
  std::size_t writes_ = 0;
};

class DiskWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { make_zero_file(disk_path_, 256 * 1024); }

  io::FileBlockDevice open_disk_file() {
    return io::FileBlockDevice(disk_path_.string(), {.direct = false});
  }

  // A deterministic clock: 1 ms per reading, from `start`.
  static DiskWriter::ClockNs fake_clock(std::uint64_t start) {
    auto now = std::make_shared<std::uint64_t>(start);
    return [now] { return *now += testing::kMs; };
  }

  Verdict judge_disk(const std::vector<std::filesystem::path>& ack_logs) {
    io::FileBlockDevice disk = open_disk_file();
    std::vector<VmDisk> disks{{kVmA, disk_path_.string(), scan_disk(disk)}};
    std::vector<AckEntry> acks;
    for (const auto& path : ack_logs) {
      AckLogContents contents = load_ack_log(path);
      acks.insert(acks.end(), contents.entries.begin(), contents.entries.end());
    }
    return judge(disks, acks);
  }

  daemon::test_support::TempDir dir_;
  std::filesystem::path disk_path_ = dir_.path() / "vm.img";
  std::filesystem::path ack_path_ = dir_.path() / "acks.log";
};

TEST_F(DiskWriterTest, FormatsABlankDiskAndAcknowledgesEachRecord) {
  io::FileBlockDevice disk = open_disk_file();
  AckLogFile acks(ack_path_);
  DiskWriter writer(disk, acks, kVmA, boot_id(1), fake_clock(0));
  EXPECT_EQ(writer.first_sector(), kFirstRecordSector);
  EXPECT_EQ(writer.sector_count(), 512u);
  for (std::uint64_t s = 1; s <= 20; ++s) {
    const AckEntry entry = writer.write_next();
    EXPECT_EQ(entry.sequence, s);
    EXPECT_EQ(entry.time_ns, s * testing::kMs);
  }
  const DiskScan scan = scan_disk(disk);
  ASSERT_TRUE(scan.header.ok());
  EXPECT_EQ(scan.header.value().vm, kVmA);
  ASSERT_EQ(scan.records.size(), 20u);  // across three 4096-byte blocks
  EXPECT_EQ(scan.records[19].sector, 20u);
  EXPECT_EQ(scan.records[19].record, (DiskRecord{kVmA, boot_id(1), 20, 20 * testing::kMs}));
  EXPECT_EQ(load_ack_log(ack_path_).entries.size(), 20u);
  const Verdict verdict = judge_disk({ack_path_});
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
}

TEST_F(DiskWriterTest, ARestartContinuesTheLog) {
  {
    io::FileBlockDevice disk = open_disk_file();
    AckLogFile acks(ack_path_);
    DiskWriter first(disk, acks, kVmA, boot_id(1), fake_clock(0));
    for (int i = 0; i < 11; ++i) first.write_next();
  }
  io::FileBlockDevice disk = open_disk_file();
  AckLogFile acks(ack_path_);
  DiskWriter second(disk, acks, kVmA, boot_id(2), fake_clock(1000 * testing::kMs));
  EXPECT_EQ(second.first_sector(), 12u);
  for (int i = 0; i < 5; ++i) second.write_next();
  const Verdict verdict = judge_disk({ack_path_});
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
  EXPECT_EQ(verdict.vms[0].boots, 2u);
  EXPECT_EQ(verdict.vms[0].records, 16u);
  EXPECT_EQ(verdict.vms[0].acked, 16u);
}

TEST_F(DiskWriterTest, RefusesTheDiskOfAnotherVm) {
  {
    io::FileBlockDevice disk = open_disk_file();
    AckLogFile acks(ack_path_);
    DiskWriter(disk, acks, kVmB, boot_id(1), fake_clock(0)).write_next();
  }
  io::FileBlockDevice disk = open_disk_file();
  AckLogFile acks(ack_path_);
  EXPECT_THAT(error_of([&] { DiskWriter refused(disk, acks, kVmA, boot_id(2)); }),
              HasSubstr("is the disk of VM " + kVmB + ", not of VM " + kVmA));
}

TEST_F(DiskWriterTest, RefusesADamagedHeaderOrDataWithoutAHeader) {
  io::FileBlockDevice disk = open_disk_file();
  AckLogFile acks(ack_path_);
  std::vector<std::uint8_t> block(4096);
  block[700] = 1;  // garbage in sector 1, sector 0 empty
  disk.write(0, block);
  EXPECT_THAT(error_of([&] { DiskWriter refused(disk, acks, kVmA, boot_id(1)); }),
              HasSubstr("holds data but no header"));
  block[10] = 1;  // garbage in sector 0
  disk.write(0, block);
  EXPECT_THAT(error_of([&] { DiskWriter refused(disk, acks, kVmA, boot_id(1)); }),
              HasSubstr("the header sector is damaged (bad checksum)"));
}

TEST_F(DiskWriterTest, AFullDiskStopsTheWriterWithNothingMoreAcknowledged) {
  make_zero_file(disk_path_, 8192);  // the header and 15 records
  io::FileBlockDevice disk = open_disk_file();
  AckLogFile acks(ack_path_);
  DiskWriter writer(disk, acks, kVmA, boot_id(1), fake_clock(0));
  for (int i = 0; i < 15; ++i) writer.write_next();
  EXPECT_THAT(error_of([&] { writer.write_next(); }), HasSubstr("is full"));
  EXPECT_EQ(load_ack_log(ack_path_).entries.size(), 15u);
  const Verdict verdict = judge_disk({ack_path_});
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
}

TEST_F(DiskWriterTest, AFailingDiskAcknowledgesNothingItCouldNotWrite) {
  io::FileBlockDevice file = open_disk_file();
  FailingBlockDevice disk(file, /*good_writes=*/6);  // the header, then 5 records
  AckLogFile acks(ack_path_);
  DiskWriter writer(disk, acks, kVmA, boot_id(1), fake_clock(0));
  std::atomic<bool> stop{false};
  EXPECT_THAT(error_of([&] { run_disk_writer(writer, std::chrono::milliseconds(0), stop); }),
              HasSubstr("injected I/O error"));
  EXPECT_EQ(writer.records_written(), 5u);
  EXPECT_EQ(load_ack_log(ack_path_).entries.size(), 5u);
  const Verdict verdict = judge_disk({ack_path_});
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
}

TEST_F(DiskWriterTest, RunsUntilStoppedThenTheOracleFindsEveryAcknowledgedRecord) {
  io::FileBlockDevice disk = open_disk_file();
  AckLogFile acks(ack_path_);
  DiskWriter writer(disk, acks, kVmA, random_boot_id());
  std::atomic<bool> stop{false};
  std::size_t seen = 0;
  run_disk_writer(writer, std::chrono::milliseconds(1), stop, [&](const AckEntry& entry) {
    EXPECT_EQ(entry.sequence, ++seen);
    if (seen == 30) stop = true;
  });
  EXPECT_EQ(writer.records_written(), 30u);
  const Verdict verdict = judge_disk({ack_path_});
  EXPECT_TRUE(verdict.clean()) << format_verdict(verdict);
  EXPECT_EQ(verdict.vms[0].records, 30u);
  EXPECT_EQ(verdict.vms[0].acked, 30u);
}

// Waits until `count` reaches `target`; false after 30 s (a hung writer).
bool wait_for(const std::atomic<std::size_t>& count, std::size_t target) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (count.load() < target) {
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST_F(DiskWriterTest, TwoWritersOnOneDiskAtOnceAreADoubleRun) {
  const std::filesystem::path acks_a_path = dir_.path() / "a.log";
  const std::filesystem::path acks_b_path = dir_.path() / "b.log";
  io::FileBlockDevice disk_a = open_disk_file();
  io::FileBlockDevice disk_b = open_disk_file();
  AckLogFile acks_a(acks_a_path);
  AckLogFile acks_b(acks_b_path);
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> count_a{0}, count_b{0};

  DiskWriter writer_a(disk_a, acks_a, kVmA, boot_id(1));
  std::string error_a, error_b;
  std::thread run_a([&] {
    error_a = error_of([&] {
      run_disk_writer(writer_a, std::chrono::milliseconds(1), stop,
                      [&](const AckEntry&) { ++count_a; });
    });
  });
  ASSERT_TRUE(wait_for(count_a, 5)) << "writer A made no progress";
  // The VM starts again on another host while it still runs on the first.
  DiskWriter writer_b(disk_b, acks_b, kVmA, boot_id(2));
  std::thread run_b([&] {
    error_b = error_of([&] {
      run_disk_writer(writer_b, std::chrono::milliseconds(1), stop,
                      [&](const AckEntry&) { ++count_b; });
    });
  });
  const std::size_t a_when_b_started = count_a.load();
  const bool progressed = wait_for(count_b, 20) && wait_for(count_a, a_when_b_started + 20);
  stop = true;
  run_a.join();
  run_b.join();
  ASSERT_TRUE(progressed) << "the writers made no progress";
  EXPECT_EQ(error_a, "no error");
  EXPECT_EQ(error_b, "no error");

  const Verdict verdict = judge_disk({acks_a_path, acks_b_path});
  EXPECT_FALSE(verdict.clean());
  ASSERT_EQ(verdict.overlaps.size(), 1u) << format_verdict(verdict);
  EXPECT_EQ(verdict.overlaps[0].first, boot_id(1));
  EXPECT_EQ(verdict.overlaps[0].second, boot_id(2));
  EXPECT_GT(verdict.overlaps[0].overlap_ns, 0u);
}

TEST_F(DiskWriterTest, OracleCommandExitStatusFollowsTheVerdict) {
  {
    io::FileBlockDevice disk = open_disk_file();
    AckLogFile acks(ack_path_);
    DiskWriter writer(disk, acks, kVmA, boot_id(1), fake_clock(0));
    for (int i = 0; i < 3; ++i) writer.write_next();
  }
  DiskOracleCommandOptions options;
  options.disks = {kVmA + "=" + disk_path_.string()};
  options.ack_logs = {ack_path_};
  options.json_path = dir_.path() / "verdict.json";
  std::ostringstream out, err;
  EXPECT_EQ(run_disk_oracle_command(options, out, err), 0) << out.str() << err.str();
  EXPECT_THAT(out.str(), HasSubstr("vm " + kVmA + ": 1 boots, 3 records, 3 acked, no overlap"));
  EXPECT_THAT(out.str(), HasSubstr("summary: {\"acked\":3,"));
  EXPECT_THAT(out.str(), HasSubstr("\"ok\":true"));
  std::ifstream json_file(options.json_path);
  EXPECT_EQ(nlohmann::json::parse(json_file)["records"], 3);

  // An acknowledged record the disk does not have.
  {
    AckLogFile acks(ack_path_);
    acks.append({kVmA, boot_id(1), 4, 4 * testing::kMs, {}});
  }
  out.str("");
  EXPECT_EQ(run_disk_oracle_command(options, out, err), 1) << out.str() << err.str();
  EXPECT_THAT(out.str(), HasSubstr("LOST: boot " + boot_id(1).hex() + " sequence 4"));
  EXPECT_THAT(out.str(), HasSubstr("verdict: FAIL"));
}

TEST_F(DiskWriterTest, OracleCommandRefusesInputItCannotJudge) {
  std::ostringstream out, err;
  DiskOracleCommandOptions options;
  options.disks = {disk_path_.string()};
  EXPECT_EQ(run_disk_oracle_command(options, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("expected VM_UUID=DISK"));

  err.str("");
  options.disks = {"web=" + disk_path_.string()};
  EXPECT_EQ(run_disk_oracle_command(options, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("'web' is not a VM UUID"));

  err.str("");
  options.disks = {kVmA + "=" + (dir_.path() / "missing.img").string()};
  EXPECT_EQ(run_disk_oracle_command(options, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("cannot open"));

  err.str("");
  options.disks = {kVmA + "=" + disk_path_.string()};
  options.ack_logs = {dir_.path() / "missing.log"};
  EXPECT_EQ(run_disk_oracle_command(options, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("cannot read ack log"));
  EXPECT_TRUE(out.str().empty());
}

TEST_F(DiskWriterTest, WriterCommandRefusesBadArguments) {
  std::ostringstream err;
  DiskWriterCommandOptions options;
  options.disk = disk_path_.string();
  options.ack_log = ack_path_;
  options.vm = "web";
  EXPECT_EQ(run_disk_writer_command(options, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("--vm web: not a VM UUID"));
  options.vm = kVmA;
  options.interval_ms = -1;
  EXPECT_EQ(run_disk_writer_command(options, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("must not be negative"));
}

}  // namespace
}  // namespace poolha::oracle

// Following an ack log as writers append to it (benchpool/ack_log_tail.h).
#include "benchpool/ack_log_tail.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace poolha::benchpool {
namespace {

namespace fs = std::filesystem;

const char* kVm = "0a1b2c3d-0000-4000-8000-00000000000a";

std::string ack_line(std::uint64_t sequence, std::uint64_t time_ns) {
  oracle::AckEntry entry;
  entry.vm = kVm;
  entry.boot = *oracle::parse_boot_id("00112233445566778899aabbccddeeff");
  entry.sequence = sequence;
  entry.time_ns = time_ns;
  return oracle::format_ack_line(entry);
}

class AckLogTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "benchpool-ack-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    log_ = dir_ / "acks.log";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void append(const std::string& text) {
    std::ofstream out(log_, std::ios::app | std::ios::binary);
    out << text;
  }

  fs::path dir_;
  fs::path log_;
};

TEST_F(AckLogTailTest, AMissingLogHasNoEntriesYet) {
  AckLogTail tail(log_);
  EXPECT_TRUE(tail.read_new().empty());
}

TEST_F(AckLogTailTest, ReturnsEachEntryOnceInFileOrder) {
  AckLogTail tail(log_);
  append(ack_line(1, 100) + ack_line(2, 200));
  const auto first = tail.read_new();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].vm, kVm);
  EXPECT_EQ(first[0].sequence, 1u);
  EXPECT_EQ(first[1].time_ns, 200u);
  EXPECT_TRUE(tail.read_new().empty());
  append(ack_line(3, 300));
  const auto second = tail.read_new();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].sequence, 3u);
}

TEST_F(AckLogTailTest, WaitsForALineToBeComplete) {
  AckLogTail tail(log_);
  const std::string line = ack_line(1, 100);
  append(line.substr(0, 20));
  EXPECT_TRUE(tail.read_new().empty());
  append(line.substr(20));
  ASSERT_EQ(tail.read_new().size(), 1u);
}

TEST_F(AckLogTailTest, SkipsTornAndUnparsableLines) {
  AckLogTail tail(log_);
  const std::string torn = ack_line(1, 100);
  // A writer killed mid-line; the next writer ends the line with " torn".
  append(torn.substr(0, torn.size() - 5) + " torn\n" + "not an ack\n" + ack_line(1, 400));
  const auto entries = tail.read_new();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].time_ns, 400u);
}

TEST_F(AckLogTailTest, SkipToEndForgetsWhatIsThere) {
  append(ack_line(1, 100));
  AckLogTail tail(log_);
  tail.skip_to_end();
  EXPECT_TRUE(tail.read_new().empty());
  append(ack_line(2, 200));
  EXPECT_EQ(tail.read_new().size(), 1u);
}

TEST_F(AckLogTailTest, ReadsALogMadeAnewFromItsStart) {
  AckLogTail tail(log_);
  append(ack_line(1, 100) + ack_line(2, 200));
  EXPECT_EQ(tail.read_new().size(), 2u);
  fs::remove(log_);
  append(ack_line(1, 900));
  const auto entries = tail.read_new();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].time_ns, 900u);
}

TEST(TakeCompleteAckLines, LeavesThePartialLineInTheBuffer) {
  std::string buffer = ack_line(1, 5) + "0a1b";
  const auto entries = take_complete_ack_lines(buffer);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(buffer, "0a1b");
}

}  // namespace
}  // namespace poolha::benchpool

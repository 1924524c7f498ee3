// Ack log lines: the exact text, parsing with clear errors, the durable
// append, and torn lines left by a writer killed inside its write.
#include "oracle/ack_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "../support/temp_dir.h"
#include "oracle/oracle_error.h"
#include "oracle_test_support.h"

namespace poolha::oracle {
namespace {

using testing::boot_id;
using testing::error_of;
using ::testing::HasSubstr;
using testing::kVmA;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(AckLine, FormatIsVmBootSequenceTime) {
  const AckEntry entry{kVmA, boot_id(3), 42, 123456789, {}};
  EXPECT_EQ(format_ack_line(entry), kVmA + " 10101010101010101010101010101003 42 123456789\n");
}

TEST(AckLine, ParseRoundTrip) {
  const AckEntry entry{kVmA, boot_id(3), 18446744073709551615u, 0, {}};
  std::string line = format_ack_line(entry);
  line.pop_back();
  const AckEntry parsed = parse_ack_line(line);
  EXPECT_EQ(parsed.vm, entry.vm);
  EXPECT_EQ(parsed.boot, entry.boot);
  EXPECT_EQ(parsed.sequence, entry.sequence);
  EXPECT_EQ(parsed.time_ns, entry.time_ns);
}

TEST(AckLine, MalformedLinesSayWhatIsWrong) {
  const std::string boot = boot_id(3).hex();
  const auto error = [](const std::string& line) {
    return error_of([&] { parse_ack_line(line); });
  };
  EXPECT_THAT(error(""), HasSubstr("expected 4 space-separated fields"));
  EXPECT_THAT(error(kVmA + " " + boot + " 1"), HasSubstr("found 3"));
  EXPECT_THAT(error(kVmA + " " + boot + " 1 2 3"), HasSubstr("found 5"));
  EXPECT_THAT(error(kVmA + " " + boot + " 1 2 "), HasSubstr("found 5"));
  EXPECT_THAT(error(kVmA + "  " + boot + " 1 2"), HasSubstr("found 5"));
  EXPECT_THAT(error("web " + boot + " 1 2"), HasSubstr("'web' is not a VM UUID"));
  EXPECT_THAT(error(kVmA + " 1234 1 2"), HasSubstr("'1234' is not a boot id"));
  EXPECT_THAT(error(kVmA + " " + std::string(32, '0') + " 1 2"), HasSubstr("is not a boot id"));
  EXPECT_THAT(error(kVmA + " " + boot + " 0 2"), HasSubstr("'0' is not a sequence number"));
  EXPECT_THAT(error(kVmA + " " + boot + " -1 2"), HasSubstr("'-1' is not a sequence number"));
  EXPECT_THAT(error(kVmA + " " + boot + " 1x 2"), HasSubstr("'1x' is not a sequence number"));
  EXPECT_THAT(error(kVmA + " " + boot + " 1 2.5"), HasSubstr("'2.5' is not a time"));
  EXPECT_THAT(error(kVmA + " " + boot + " 1 99999999999999999999"), HasSubstr("is not a time"));
}

class AckLogFileTest : public ::testing::Test {
 protected:
  daemon::test_support::TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "acks.log";
};

TEST_F(AckLogFileTest, AppendedLinesLoadBackWithTheirSource) {
  {
    AckLogFile log(path_);
    log.append({kVmA, boot_id(1), 1, 100, {}});
    log.append({kVmA, boot_id(1), 2, 200, {}});
  }
  {
    AckLogFile reopened(path_);  // appends, never truncates
    reopened.append({kVmA, boot_id(2), 1, 300, {}});
  }
  const AckLogContents contents = load_ack_log(path_);
  EXPECT_TRUE(contents.warnings.empty());
  ASSERT_EQ(contents.entries.size(), 3u);
  EXPECT_EQ(contents.entries[1].sequence, 2u);
  EXPECT_EQ(contents.entries[1].time_ns, 200u);
  EXPECT_EQ(contents.entries[1].source, path_.string() + ":2");
  EXPECT_EQ(contents.entries[2].boot, boot_id(2));
}

TEST_F(AckLogFileTest, ATornLastLineIsEndedByTheNextWriterAndSkipped) {
  std::string first = format_ack_line({kVmA, boot_id(1), 1, 100, {}});
  write_text(path_, first + first.substr(0, 20));  // killed inside the second write
  {
    AckLogFile log(path_);
    log.append({kVmA, boot_id(2), 1, 300, {}});
  }
  const AckLogContents contents = load_ack_log(path_);
  ASSERT_EQ(contents.entries.size(), 2u);
  EXPECT_EQ(contents.entries[1].boot, boot_id(2));
  ASSERT_EQ(contents.warnings.size(), 1u);
  EXPECT_THAT(contents.warnings[0], HasSubstr(path_.string() + ":2: torn line skipped"));
}

TEST_F(AckLogFileTest, AnUnterminatedLastLineIsSkippedWithAWarning) {
  const std::string line = format_ack_line({kVmA, boot_id(1), 1, 100, {}});
  write_text(path_, line + line.substr(0, line.size() - 1));
  const AckLogContents contents = load_ack_log(path_);
  EXPECT_EQ(contents.entries.size(), 1u);
  ASSERT_EQ(contents.warnings.size(), 1u);
  EXPECT_THAT(contents.warnings[0], HasSubstr(":2: unterminated last line skipped"));
}

TEST_F(AckLogFileTest, AMalformedLineInTheMiddleIsAnErrorNamingIt) {
  const std::string line = format_ack_line({kVmA, boot_id(1), 1, 100, {}});
  write_text(path_, line + "garbage\n" + line);
  EXPECT_THAT(error_of([&] { load_ack_log(path_); }),
              HasSubstr(path_.string() + ":2: expected 4 space-separated fields"));
}

TEST_F(AckLogFileTest, AMissingLogIsAnError) {
  EXPECT_THAT(error_of([&] { load_ack_log(path_); }), HasSubstr("cannot read ack log"));
}

TEST_F(AckLogFileTest, AnUnopenableLogIsAnIoError) {
  EXPECT_THAT(error_of([&] { AckLogFile log(dir_.path() / "missing-dir" / "acks.log"); }),
              HasSubstr("cannot open ack log"));
}

}  // namespace
}  // namespace poolha::oracle

// BootCounter: grows by one on every start, survives reopening, is never 0,
// and refuses a file it cannot trust instead of guessing.
#include "daemon/membership/boot_counter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "test_pool.h"

namespace poolha::daemon {
namespace {

using ::testing::HasSubstr;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string error_of(const std::filesystem::path& dir) {
  try {
    BootCounter counter(dir);
  } catch (const BootCounterError& e) {
    return e.what();
  }
  return "no error";
}

TEST(BootCounter, FirstStartCountsOne) {
  testing::TempDir dir;
  BootCounter counter(dir.path());
  EXPECT_EQ(counter.value(), 1u);
  EXPECT_EQ(read_text(dir.path() / BootCounter::kFileName), "1\n");
}

TEST(BootCounter, EveryInstanceIncrementsAndTheValueSurvivesReopening) {
  testing::TempDir dir;
  std::uint32_t first = 0;
  {
    BootCounter counter(dir.path());
    first = counter.value();
  }
  BootCounter second(dir.path());
  EXPECT_EQ(second.value(), first + 1);
  EXPECT_EQ(second.advance(), first + 2);
  EXPECT_EQ(second.value(), first + 2);
  BootCounter third(dir.path());
  EXPECT_EQ(third.value(), first + 3);
  EXPECT_EQ(read_text(third.path()), std::to_string(first + 3) + "\n");
}

TEST(BootCounter, ContinuesFromAnExistingValue) {
  testing::TempDir dir;
  write_text(dir.path() / BootCounter::kFileName, "41\n");
  EXPECT_EQ(BootCounter(dir.path()).value(), 42u);
}

TEST(BootCounter, CreatesAMissingStateDirectory) {
  testing::TempDir dir;
  BootCounter counter(dir.path() / "state");
  EXPECT_EQ(counter.value(), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state" / BootCounter::kFileName));
}

TEST(BootCounter, RefusesAFileThatHoldsNoCounter) {
  testing::TempDir dir;
  const auto file = dir.path() / BootCounter::kFileName;
  for (const std::string bad : {"", "\n", "abc\n", "12x\n", "0\n", "-3\n", "4294967296\n"}) {
    write_text(file, bad);
    EXPECT_THAT(error_of(dir.path()), HasSubstr("not a positive 32-bit counter")) << bad;
    EXPECT_EQ(read_text(file), bad) << "a refused file is left as it was";
  }
}

TEST(BootCounter, RefusesToWrapAround) {
  testing::TempDir dir;
  write_text(dir.path() / BootCounter::kFileName, "4294967295\n");
  EXPECT_THAT(error_of(dir.path()), HasSubstr("exhausted"));
}

}  // namespace
}  // namespace poolha::daemon

#include "vm/process_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace poolha::vm {
namespace {

class VmProcessRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/poolha-registry-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(VmProcessRegistryTest, RecordsListsAndErases) {
  VmProcessRegistry registry(root_ / "vms");  // created on demand
  registry.record("vm-a", 1234);
  registry.record("vm-b", 99);
  registry.record("vm-a", 4321);  // replaced, not appended
  EXPECT_EQ(registry.list(), (std::map<std::string, pid_t>{{"vm-a", 4321}, {"vm-b", 99}}));
  registry.erase("vm-a");
  registry.erase("vm-never");
  EXPECT_EQ(registry.list(), (std::map<std::string, pid_t>{{"vm-b", 99}}));
}

TEST_F(VmProcessRegistryTest, SkipsAndNamesMalformedEntries) {
  VmProcessRegistry registry(root_);
  registry.record("vm-a", 7);
  std::ofstream(root_ / "vm-bad") << "12x\n";
  std::ofstream(root_ / "vm-zero") << "0\n";
  std::ofstream(root_ / "vm-c.tmp") << "5\n";  // a write in progress is not an entry
  std::vector<std::string> malformed;
  EXPECT_EQ(registry.list(&malformed), (std::map<std::string, pid_t>{{"vm-a", 7}}));
  std::sort(malformed.begin(), malformed.end());
  EXPECT_EQ(malformed, (std::vector<std::string>{"vm-bad", "vm-zero"}));
}

TEST_F(VmProcessRegistryTest, RefusesNamesThatEscapeTheDirectoryAndBadGroups) {
  VmProcessRegistry registry(root_);
  EXPECT_THROW(registry.record("../etc", 5), std::invalid_argument);
  EXPECT_THROW(registry.record("", 5), std::invalid_argument);
  EXPECT_THROW(registry.record("vm-a", 0), std::invalid_argument);
  EXPECT_TRUE(registry.list().empty());
}

}  // namespace
}  // namespace poolha::vm

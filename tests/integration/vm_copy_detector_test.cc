// The detector the failover tests rely on for "a VM never runs twice": it
// must see every process group that carries a VM's uuid, and only live ones.
#include <gtest/gtest.h>

#include "api/random_uuid.h"
#include "integration_pool.h"
#include "localpool/process_table.h"

namespace poolha::integration {
namespace {

// `env` sets the variable only for the program it runs next, so a copy
// shows up once env has exec'd sleep: wait for that, briefly.
bool groups_become(const std::string& uuid, const std::set<pid_t>& expected) {
  try {
    localpool::LocalPool::wait_until([&] { return running_vm_process_groups()[uuid] == expected; },
                                     Seconds(10), "the process groups of " + uuid,
                                     std::chrono::milliseconds(20));
    return true;
  } catch (const localpool::WaitTimeout&) {
    return false;
  }
}

TEST(VmCopyDetector, CountsEveryLiveProcessGroupCarryingTheVmUuid) {
  const std::string uuid = api::random_uuid();
  const std::filesystem::path log = std::filesystem::temp_directory_path() / ("copy-" + uuid);
  {
    localpool::ProcessTable table;
    const std::vector<std::string> vm = {"env", "POOLHA_VM_UUID=" + uuid, "sleep", "60"};
    const pid_t first = table.start({"first copy", vm, log});
    EXPECT_TRUE(groups_become(uuid, {first}));
    const pid_t second = table.start({"second copy", vm, log});
    EXPECT_TRUE(groups_become(uuid, {first, second})) << "two copies are seen as two";
    table.kill(first);
    EXPECT_EQ(running_vm_process_groups()[uuid], std::set<pid_t>{second})
        << "a killed copy is gone";
  }
  EXPECT_FALSE(running_vm_process_groups().contains(uuid)) << "killed copies do not count";
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace poolha::integration

// create(): the real `poolha pool-create` writes the new pool's database,
// with the VMs asked for, to the heartbeat SR file.
#include <gtest/gtest.h>

#include "localpool/local_pool.h"
#include "common/tool_runner.h"
#include "test_support.h"

namespace poolha::localpool {
namespace {

TEST(LocalPoolCreate, PoolCreateWritesTheHeartbeatSr) {
  const std::filesystem::path poolha = testing::real_poolha();
  if (poolha.empty() || run_tool({poolha.string(), "pool-create", "--help"}).exit_code != 0) {
    GTEST_SKIP() << "this poolha has no pool-create";
  }
  LocalPoolOptions options;
  options.hosts = 3;
  options.poolha_binary = poolha;
  options.vms = {VmSpec{"vm-1", 64, "restart", std::nullopt}, VmSpec{"vm-2", 64, "restart", 2}};
  LocalPool pool(options);
  pool.create();
  EXPECT_TRUE(std::filesystem::is_regular_file(pool.plan().heartbeat_sr));
  EXPECT_GT(std::filesystem::file_size(pool.plan().heartbeat_sr), 1u << 20)
      << "statefile and metadata area";
}

TEST(LocalPoolCreate, AFailingPoolCreateIsReportedWithItsOutput) {
  LocalPoolOptions options;
  options.hosts = 1;
  options.poolha_binary = "/bin/false";
  LocalPool pool(options);
  try {
    pool.create();
    FAIL() << "create() succeeded with a poolha that always fails";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("pool-create"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("exit status 1"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace poolha::localpool

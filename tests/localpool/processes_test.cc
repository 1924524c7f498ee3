// Processes of a local pool: tracked by PID and gone after teardown, a
// host's power loss killing the VM process groups its registry lists, and
// hosts started with the real fencer.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "localpool/local_pool.h"
#include "localpool/process_table.h"
#include "test_support.h"
#include "vm/process/process_group.h"
#include "vm/process/spawn.h"
#include "vm/process_registry.h"

namespace poolha::localpool {
namespace {

namespace fs = std::filesystem;
using testing::process_exists;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "poolha-localpool-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(ProcessTable, KillAllStopsEveryStartedProcess) {
  TempDir dir;
  pid_t pid = 0;
  {
    ProcessTable table;
    pid = table.start({"sleeper", {"sleep", "1000"}, dir.path() / "sleeper.log"});
    EXPECT_TRUE(table.running(pid));
    EXPECT_EQ(table.running_pids(), std::vector<pid_t>{pid});
    table.kill_all();
    EXPECT_FALSE(table.running(pid));
    EXPECT_EQ(table.exit_description(pid), "killed by signal 9");
  }
  EXPECT_FALSE(process_exists(pid)) << "killed and reaped";
}

TEST(ProcessTable, DestructorKillsTheWholeProcessGroup) {
  TempDir dir;
  const fs::path child_pid_file = dir.path() / "child.pid";
  pid_t leader = 0;
  pid_t child = 0;
  {
    ProcessTable table;
    leader = table.start(
        {"shell",
         {"/bin/sh", "-c", "sleep 1000 & echo $! > " + child_pid_file.string() + "; wait"},
         dir.path() / "shell.log"});
    LocalPool::wait_until(
        [&] { return fs::exists(child_pid_file) && fs::file_size(child_pid_file) > 0; },
        std::chrono::seconds(10), "the shell's child");
    std::ifstream(child_pid_file) >> child;
    ASSERT_GT(child, 0);
    EXPECT_TRUE(vm::group_has_live_members(leader));
  }
  EXPECT_FALSE(process_exists(leader));
  // The orphaned child is reaped by init (or a subreaper); it must not live on.
  LocalPool::wait_until([&] { return !vm::group_has_live_members(leader); },
                        std::chrono::seconds(10), "the group to die");
}

TEST(ProcessTable, TerminateKillsAProcessThatIgnoresSigterm) {
  TempDir dir;
  ProcessTable table;
  const pid_t stubborn = table.start({"stubborn",
                                      {"/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"},
                                      dir.path() / "s.log"});
  const pid_t polite = table.start({"polite", {"sleep", "1000"}, dir.path() / "p.log"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the trap be set
  EXPECT_TRUE(table.terminate(polite, std::chrono::seconds(5)));
  EXPECT_FALSE(table.terminate(stubborn, std::chrono::milliseconds(300)));
  EXPECT_FALSE(table.running(stubborn));
  EXPECT_FALSE(table.running(polite));
}

TEST(ProcessTable, StartReportsAMissingProgram) {
  TempDir dir;
  ProcessTable table;
  EXPECT_THROW(table.start({"missing", {"/no/such/program"}, dir.path() / "m.log"}),
               std::system_error);
}

class LocalPoolProcesses : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const pid_t group : groups_) {
      if (vm::group_has_live_members(group)) vm::signal_group(group, SIGKILL);
      ::waitpid(group, nullptr, WNOHANG);
    }
  }
  // A dummy VM: its own process group, as the VM drivers start them.
  pid_t start_dummy_vm() {
    vm::SpawnRequest request;
    request.argv = {"/bin/sh", "-c", "sleep 1000 & wait"};
    const pid_t pid = vm::spawn_session_leader(request).pid;
    groups_.push_back(pid);
    return pid;
  }
  std::vector<pid_t> groups_;
};

TEST_F(LocalPoolProcesses, PowerLossKillsTheVmGroupsInTheRegistry) {
  LocalPoolOptions options;
  options.hosts = 2;
  options.poolha_binary = "/bin/sh";
  LocalPool pool(options);
  pool.write_files();
  const pid_t vm_on_host = start_dummy_vm();
  const pid_t vm_elsewhere = start_dummy_vm();
  vm::VmProcessRegistry(pool.host(0).vm_registry).record("vm-a", vm_on_host);
  vm::VmProcessRegistry(pool.host(1).vm_registry).record("vm-b", vm_elsewhere);
  ASSERT_TRUE(vm::group_has_live_members(vm_on_host));

  EXPECT_EQ(pool.kill_host(0), 1u);
  LocalPool::wait_until([&] { return !vm::group_has_live_members(vm_on_host); },
                        std::chrono::seconds(10), "host-1's VM to die");
  EXPECT_TRUE(vm::group_has_live_members(vm_elsewhere)) << "another host's VM is untouched";
  ::waitpid(vm_on_host, nullptr, 0);

  pool.teardown();
  LocalPool::wait_until([&] { return !vm::group_has_live_members(vm_elsewhere); },
                        std::chrono::seconds(10), "teardown to kill host-2's VM");
}

class LocalPoolHosts : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::real_poolha().empty() || !fs::exists(testing::real_poolha())) {
      GTEST_SKIP() << "built without the poolha binary (its fencer starts the hosts)";
    }
  }
  TempDir scripts_;
};

TEST_F(LocalPoolHosts, StartedHostsRunUntilTeardown) {
  LocalPoolOptions options;
  options.hosts = 2;
  options.poolha_binary = testing::write_fake_poolha(scripts_.path(), "exec sleep 1000");
  std::vector<pid_t> pids;
  {
    LocalPool pool(options);
    pool.write_files();
    pool.start_host(0);
    pool.start_host(1);
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_TRUE(pool.host_running(i));
      EXPECT_EQ(pool.host_failure(i), "");
      EXPECT_TRUE(fs::is_socket(pool.host(i).fencer_socket)) << "the real fencer listens";
      const std::vector<pid_t> host_pids = pool.host_pids(i);
      EXPECT_EQ(host_pids.size(), 2u);
      pids.insert(pids.end(), host_pids.begin(), host_pids.end());
    }
    EXPECT_THROW(pool.start_host(0), std::logic_error);
  }
  ASSERT_EQ(pids.size(), 4u);
  for (const pid_t pid : pids) EXPECT_FALSE(process_exists(pid)) << pid;
}

TEST_F(LocalPoolHosts, KillStopAndRebootAHost) {
  LocalPoolOptions options;
  options.hosts = 1;
  options.poolha_binary = testing::write_fake_poolha(scripts_.path(), "exec sleep 1000");
  LocalPool pool(options);
  pool.write_files();
  pool.start_host(0);
  const std::vector<pid_t> first = pool.host_pids(0);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(pool.kill_host(0), 0u);
  EXPECT_FALSE(pool.host_running(0));
  for (const pid_t pid : first) EXPECT_FALSE(process_exists(pid));

  // A file in the run directory does not survive the reboot.
  std::ofstream(pool.host(0).run_dir / "stale").put('x');
  pool.start_host(0);
  EXPECT_TRUE(pool.host_running(0));
  EXPECT_FALSE(fs::exists(pool.host(0).run_dir / "stale"));
  EXPECT_TRUE(pool.stop_host(0, std::chrono::seconds(10))) << "sleep and the fencer obey SIGTERM";
  EXPECT_FALSE(pool.host_running(0));
}

TEST_F(LocalPoolHosts, ADaemonThatExitsIsReportedWithItsLog) {
  LocalPoolOptions options;
  options.hosts = 1;
  options.poolha_binary = testing::write_fake_poolha(
      scripts_.path(), "echo 'cannot open the heartbeat SR' >&2; exit 7");
  LocalPool pool(options);
  pool.write_files();
  pool.start_host(0);
  LocalPool::wait_until([&] { return !pool.host_running(0); }, std::chrono::seconds(10),
                        "the fake daemon to exit");
  const std::string failure = pool.host_failure(0);
  EXPECT_NE(failure.find("host-1 daemon exited (exit status 7)"), std::string::npos) << failure;
  EXPECT_NE(failure.find("cannot open the heartbeat SR"), std::string::npos) << failure;
  EXPECT_THROW(pool.wait_for_api(0, std::chrono::seconds(5)), std::runtime_error);
}

}  // namespace
}  // namespace poolha::localpool

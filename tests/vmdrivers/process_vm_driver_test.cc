// The process driver against real processes: groups, signals, exit
// statuses, the registry and adoption after a restart.
#include "vm/process/process_vm_driver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "halt_record.h"
#include "process_test_support.h"
#include "vm/process/process_group.h"

namespace poolha::vm {
namespace {

using testing::read_file;
using testing::ResultSlot;
using testing::run_operation;
using testing::run_until;
using namespace std::chrono_literals;

constexpr auto kProcessWait = 10s;

using testing::Halt;

class ProcessVmDriverTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Whatever a failed test left running is stopped by its recorded group.
    for (const auto& [uuid, group] : registry_.list()) testing::kill_group(group);
  }

  std::unique_ptr<ProcessVmDriver> make_driver(std::vector<std::string> command,
                                               Duration stop_grace = 5s) {
    ProcessDriverConfig config;
    config.command = std::move(command);
    config.log_dir = dir_.path() / "logs";
    config.stop_grace = stop_grace;
    config.adopted_poll_interval = 100ms;
    auto driver = std::make_unique<ProcessVmDriver>(io_, registry_, config);
    driver->set_halt_listener([this](const std::string& uuid, HaltCause cause) {
      halts_.push_back({uuid, cause});
    });
    return driver;
  }

  VmResult start(VmDriver& driver, const VmConfig& vm) {
    return run_operation(
        io_, [&](VmDriver::Done done) { driver.start(vm, std::move(done)); }, kProcessWait);
  }

  VmResult stop(VmDriver& driver, const std::string& uuid) {
    return run_operation(
        io_, [&](VmDriver::Done done) { driver.stop(uuid, std::move(done)); }, kProcessWait);
  }

  // Waits for a file the VM's command writes; its first word.
  pid_t wait_for_pid_file(const std::filesystem::path& path) {
    run_until(
        io_, [&] { return !read_file(path).empty(); }, kProcessWait);
    return static_cast<pid_t>(std::atoi(read_file(path).c_str()));
  }

  testing::ScratchDir dir_;
  asio::io_context io_;
  VmProcessRegistry registry_{dir_.path() / "registry"};
  std::vector<Halt> halts_;
};

TEST_F(ProcessVmDriverTest, StartRunsTheCommandInItsOwnProcessGroupAndRecordsIt) {
  const auto info = dir_.path() / "info";
  auto driver = make_driver(
      {"/bin/sh", "-c",
       "echo $$ $POOLHA_VM_UUID $POOLHA_VM_NAME $POOLHA_VM_MEMORY_MIB {uuid} {memory_mib} > " +
           info.string() + "; exec sleep 1000"});

  const VmResult started = start(*driver, VmConfig{"vm-1", "web", 256ull << 20});
  ASSERT_TRUE(started.ok) << started.error;
  const pid_t pid = wait_for_pid_file(info);
  EXPECT_EQ(read_file(info), std::to_string(pid) + " vm-1 web 256 vm-1 256\n");

  EXPECT_EQ(driver->process_group("vm-1"), pid);
  EXPECT_EQ(::getpgid(pid), pid) << "the command leads its own process group";
  EXPECT_EQ(::getsid(pid), pid) << "and its own session";
  EXPECT_NE(::getpgid(pid), ::getpgrp());
  EXPECT_EQ(registry_.list(), (std::map<std::string, pid_t>{{"vm-1", pid}}));
  EXPECT_EQ(driver->running(), std::vector<std::string>{"vm-1"});
  EXPECT_FALSE(driver->adopted("vm-1"));

  const VmResult stopped = stop(*driver, "vm-1");
  EXPECT_TRUE(stopped.ok) << stopped.error;
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
  EXPECT_FALSE(group_has_live_members(pid));
  EXPECT_TRUE(halts_.empty()) << "a stop is not a halt";
}

TEST_F(ProcessVmDriverTest, ExecFailureIsReportedWithTheErrnoText) {
  auto driver = make_driver({"/nonexistent/vm-runner", "{uuid}"});
  const VmResult result = start(*driver, VmConfig{"vm-1", "web", 0});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("exec /nonexistent/vm-runner"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("No such file or directory"), std::string::npos) << result.error;
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
}

TEST_F(ProcessVmDriverTest, AnUnknownPlaceholderFailsTheStart) {
  auto driver = make_driver({"/bin/sleep", "{memory}"});
  const VmResult result = start(*driver, VmConfig{"vm-1", "web", 0});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("{memory}"), std::string::npos) << result.error;
  EXPECT_TRUE(driver->running().empty());
}

TEST_F(ProcessVmDriverTest, StoppingAVmThatDoesNotRunFails) {
  auto driver = make_driver({"/bin/sleep", "1000"});
  const VmResult result = stop(*driver, "vm-missing");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("VM_BAD_POWER_STATE"), std::string::npos) << result.error;
}

TEST_F(ProcessVmDriverTest, StopKillsTheWholeGroupEvenAChildThatIgnoresSigterm) {
  const auto child_file = dir_.path() / "child";
  constexpr Duration kGrace = 300ms;
  // The leader shell dies of SIGTERM; its child ignores SIGTERM (exec keeps
  // that) before it writes its pid, so only the SIGKILL after the grace
  // period ends it.
  auto driver = make_driver(
      {"/bin/sh", "-c",
       "sh -c \"trap '' TERM; echo \\$\\$ > " + child_file.string() + "; exec sleep 1000\" & wait"},
      kGrace);
  ASSERT_TRUE(start(*driver, VmConfig{"vm-1", "web", 0}).ok);
  const pid_t child = wait_for_pid_file(child_file);
  const pid_t group = driver->process_group("vm-1").value();
  auto members = live_group_members(group);
  ASSERT_NE(std::find(members.begin(), members.end(), child), members.end())
      << "the child belongs to the VM's group";

  const auto before = std::chrono::steady_clock::now();
  const VmResult stopped = stop(*driver, "vm-1");
  EXPECT_TRUE(stopped.ok) << stopped.error;
  EXPECT_GE(std::chrono::steady_clock::now() - before, kGrace)
      << "the child outlived SIGTERM, so the stop waited for the grace period";
  EXPECT_TRUE(live_group_members(group).empty());
  EXPECT_TRUE(registry_.list().empty());
  EXPECT_TRUE(driver->running().empty());
}

TEST_F(ProcessVmDriverTest, AProcessThatExitsByItselfIsAHaltWithItsCause) {
  // Each VM's name is the shell script it runs.
  auto driver = make_driver({"/bin/sh", "-c", "{name}"});
  ASSERT_TRUE(start(*driver, VmConfig{"vm-clean", "sleep 0.2; exit 0", 0}).ok);
  ASSERT_TRUE(start(*driver, VmConfig{"vm-failed", "sleep 0.2; exit 3", 0}).ok);
  ASSERT_TRUE(start(*driver, VmConfig{"vm-killed", "exec sleep 1000", 0}).ok);
  EXPECT_EQ(driver->running().size(), 3u);

  ASSERT_EQ(::kill(driver->process_group("vm-killed").value(), SIGKILL), 0);
  ASSERT_TRUE(run_until(
      io_, [&] { return halts_.size() == 3; }, kProcessWait));
  std::map<std::string, HaltCause> causes;
  for (const auto& halt : halts_) causes[halt.uuid] = halt.cause;
  EXPECT_EQ(causes, (std::map<std::string, HaltCause>{{"vm-clean", HaltCause::kGuestShutdown},
                                                      {"vm-failed", HaltCause::kGuestCrash},
                                                      {"vm-killed", HaltCause::kGuestCrash}}));
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
}

TEST_F(ProcessVmDriverTest, StartingARunningVmAgainDoesNotRunASecondCopy) {
  const auto starts = dir_.path() / "starts";
  auto driver =
      make_driver({"/bin/sh", "-c", "echo $$ >> " + starts.string() + "; exec sleep 1000"});
  ResultSlot first;
  ResultSlot second;
  driver->start(VmConfig{"vm-1", "web", 0}, first.callback());
  driver->start(VmConfig{"vm-1", "web", 0}, second.callback());
  ASSERT_TRUE(run_until(
      io_, [&] { return first.ready() && second.ready(); }, kProcessWait));
  EXPECT_TRUE(first.result->ok);
  EXPECT_TRUE(second.result->ok);
  EXPECT_TRUE(start(*driver, VmConfig{"vm-1", "web", 0}).ok);

  const pid_t pid = wait_for_pid_file(starts);
  EXPECT_EQ(read_file(starts), std::to_string(pid) + "\n") << "the command ran once";
  EXPECT_EQ(live_group_members(pid).size(), 1u);
  EXPECT_EQ(registry_.list().size(), 1u);
  EXPECT_EQ(driver->running(), std::vector<std::string>{"vm-1"});
}

TEST_F(ProcessVmDriverTest, ARecreatedDriverAdoptsTheRegistrysRunningVms) {
  const std::vector<std::string> command = {"/bin/sh", "-c", "exec sleep 1000"};
  pid_t group_1 = 0;
  pid_t group_2 = 0;
  {
    auto first = make_driver(command);
    ASSERT_TRUE(start(*first, VmConfig{"vm-1", "a", 0}).ok);
    ASSERT_TRUE(start(*first, VmConfig{"vm-2", "b", 0}).ok);
    group_1 = first->process_group("vm-1").value();
    group_2 = first->process_group("vm-2").value();
  }  // the daemon goes away; its VMs do not
  ASSERT_TRUE(group_has_live_members(group_1));
  // An entry whose group runs something else (a reused id) is not a VM.
  registry_.record("vm-stale", ::getpgrp());

  auto second = make_driver(command);
  EXPECT_EQ(second->running(), (std::vector<std::string>{"vm-1", "vm-2"}));
  EXPECT_TRUE(second->adopted("vm-1"));
  EXPECT_EQ(second->process_group("vm-2"), group_2);
  EXPECT_EQ(registry_.list(), (std::map<std::string, pid_t>{{"vm-1", group_1}, {"vm-2", group_2}}));

  // An adopted VM can be stopped...
  const VmResult stopped = stop(*second, "vm-1");
  EXPECT_TRUE(stopped.ok) << stopped.error;
  EXPECT_FALSE(group_has_live_members(group_1));

  // ...and its end is noticed by polling, with no exit status to tell a
  // clean shutdown from a crash.
  ASSERT_EQ(::kill(-group_2, SIGKILL), 0);
  ASSERT_TRUE(run_until(
      io_, [&] { return !halts_.empty(); }, kProcessWait));
  EXPECT_EQ(halts_.front().uuid, "vm-2");
  EXPECT_EQ(halts_.front().cause, HaltCause::kGuestCrash);
  EXPECT_TRUE(second->running().empty());
  EXPECT_TRUE(registry_.list().empty());
}

}  // namespace
}  // namespace poolha::vm

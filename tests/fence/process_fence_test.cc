// carry_out_process_fence on its own: entries it must not or cannot kill.
// It runs in a child process with a process group of its own, so even a
// broken refusal could only kill that child, never the test runner.
#include "fence/process_fence.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "fence/pidfd.h"
#include "fresh_network_namespace.h"
#include "temp_dir.h"
#include "vm/process_registry.h"

namespace poolha::fence {
namespace {

const FenceAction* find_vm(const FenceRecord& record, const std::string& vm) {
  for (const FenceAction& action : record.actions) {
    if (action.kind == FenceAction::Kind::kKillVmGroup && action.vm == vm) return &action;
  }
  return nullptr;
}

TEST(ProcessFenceTest, RefusesTheFencersOwnGroupAndItselfAndNotesWhatItCannotKill) {
  testing::TempDir dir;
  const auto registry_dir = dir.path() / "vms";
  const auto state_dir = dir.path() / "state";
  vm::VmProcessRegistry registry(registry_dir);

  // A group id no process can have (pids stay below pid_max), rather than
  // a reaped child's, which another process could have taken meanwhile.
  pid_t pid_max = 0;
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
  ASSERT_GT(pid_max, 1);
  registry.record("vm-gone", pid_max);
  std::ofstream(registry_dir / "vm-bad") << "twelve\n";

  const pid_t fencer = ::fork();
  if (fencer == 0) {
    ::setpgid(0, 0);
    vm::VmProcessRegistry(registry_dir).record("vm-self", ::getpgrp());
    const FenceOrder order{FenceCause::kEngineRequest, "test", {}};
    const ProcessFenceTargets targets{::getpid(), open_pidfd(::getpid()), registry_dir};
    carry_out_process_fence(order, targets, {state_dir, "host-a", "process fencer"});
    ::_exit(0);
  }
  ASSERT_GT(fencer, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(fencer, &status, 0), fencer);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the fencer killed itself";

  const auto record = read_fence_record(state_dir);
  ASSERT_TRUE(record.has_value());
  EXPECT_TRUE(record->complete);
  ASSERT_FALSE(record->actions.empty());
  EXPECT_EQ(record->actions[0].kind, FenceAction::Kind::kKillDaemon);
  EXPECT_EQ(record->actions[0].outcome, FenceAction::Outcome::kRefused);
  EXPECT_EQ(record->actions[0].detail, "the connected peer is the fencer itself");
  const FenceAction* self = find_vm(*record, "vm-self");
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->outcome, FenceAction::Outcome::kRefused);
  EXPECT_EQ(self->detail, "that is the fencer's own process group");
  const FenceAction* already_gone = find_vm(*record, "vm-gone");
  ASSERT_NE(already_gone, nullptr);
  EXPECT_EQ(already_gone->outcome, FenceAction::Outcome::kAlreadyGone);
  EXPECT_EQ(find_vm(*record, "vm-bad"), nullptr);
  EXPECT_EQ(record->problems,
            std::vector<std::string>{
                "VM process registry entry 'vm-bad' is not a process group id; nothing killed "
                "for it"});
}

// A fencer asked to reset TCP connections (a host that is a network
// namespace) does so after the kills and records it.
TEST(ProcessFenceTest, ResetsTheNamespacesTcpConnectionsAfterTheKillsWhenAsked) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: it creates a network namespace";
  testing::TempDir dir;
  const auto registry_dir = dir.path() / "vms";
  const auto state_dir = dir.path() / "state";
  vm::VmProcessRegistry registry(registry_dir);
  const std::string outcome = testing::run_in_fresh_network_namespace([&]() -> std::string {
    const auto connection = testing::open_loopback_connection();
    if (!connection) return "cannot open a loopback connection";
    const FenceOrder order{FenceCause::kEngineRequest, "test", {}};
    const ProcessFenceTargets targets{0, -1, registry_dir, true};
    carry_out_process_fence(order, targets, {state_dir, "host-a", "process fencer"});
    return testing::connection_broken(connection->client) ? "reset" : "still open";
  });
  EXPECT_EQ(outcome, "reset");
  const auto record = read_fence_record(state_dir);
  ASSERT_TRUE(record.has_value());
  EXPECT_TRUE(record->complete);
  ASSERT_EQ(record->actions.size(), 1u);
  EXPECT_EQ(record->actions[0].kind, FenceAction::Kind::kResetTcp);
  EXPECT_EQ(record->actions[0].outcome, FenceAction::Outcome::kDone);
  EXPECT_GE(record->actions[0].id, 1);
}

}  // namespace
}  // namespace poolha::fence

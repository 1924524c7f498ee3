// Restart order after a host failure: protected VMs in `order` groups, a
// group starting only once the previous one started and its start delays
// passed, best-effort VMs last, unprotected ones never.
#include <gtest/gtest.h>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

VmRecord ordered(const std::string& uuid, std::int64_t order, Duration delay = {}) {
  VmRecord vm = vm_on(uuid, 2, 2);
  vm.order = order;
  vm.start_delay = delay;
  return vm;
}

// Answers every command of `ready` with success at `now`; returns the last Ready.
CoordinatorReady answer_all(Master& m, const CoordinatorReady& ready, TimePoint now) {
  CoordinatorReady last;
  for (const auto& [host, command] : ready.commands) last = m.answer(now, host, command, true);
  return last;
}

TEST(FailoverCoordinatorRestartOrder, GroupsStartOneAfterAnotherWithTheirDelays) {
  Master m(pool_of(3, 16,
                   {ordered("a", 0, 30s), ordered("b", 0), ordered("c", 1), ordered("d", -1),
                    ordered("e", 5), vm_on("be", 2, 1, RestartPriority::kBestEffort),
                    vm_on("un", 2, 1, RestartPriority::kUnprotected)}));
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  const CoordinatorReady group0 = m.report_all(seconds(1100));
  ASSERT_EQ(vms_commanded(group0), (std::vector<std::string>{"a", "b"}));

  const auto a = commands_for(group0, "a")[0];
  const auto b = commands_for(group0, "b")[0];
  EXPECT_TRUE(m.answer(seconds(1105), b.first, b.second, true).commands.empty());  // a boots still
  EXPECT_TRUE(m.answer(seconds(1110), a.first, a.second, true).commands.empty());  // a's delay
  EXPECT_LE(m.coordinator().next_wakeup(), seconds(1140));
  EXPECT_TRUE(m.tick(seconds(1139)).commands.empty());
  const CoordinatorReady group1 = m.tick(seconds(1140));
  ASSERT_EQ(vms_commanded(group1), (std::vector<std::string>{"c"}));

  const CoordinatorReady group5 = answer_all(m, group1, seconds(1150));
  ASSERT_EQ(vms_commanded(group5), (std::vector<std::string>{"e"}));
  const CoordinatorReady negative_last = answer_all(m, group5, seconds(1160));
  ASSERT_EQ(vms_commanded(negative_last), (std::vector<std::string>{"d"}));
  const CoordinatorReady best_effort = answer_all(m, negative_last, seconds(1170));
  ASSERT_EQ(vms_commanded(best_effort), (std::vector<std::string>{"be"}));
  EXPECT_TRUE(answer_all(m, best_effort, seconds(1180)).commands.empty());
  EXPECT_TRUE(m.tick(seconds(5000)).commands.empty());
  EXPECT_EQ(m.vm("un").power, VmPower::kHalted);  // unprotected: stays down
}

TEST(FailoverCoordinatorRestartOrder, BestEffortWaitsForEveryProtectedStart) {
  Master m(pool_of(3, 16, {vm_on("p", 2, 2), vm_on("be", 2, 1, RestartPriority::kBestEffort)}));
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  const CoordinatorReady first = m.report_all(seconds(1100));
  ASSERT_EQ(vms_commanded(first), (std::vector<std::string>{"p"}));
  const CoordinatorReady second = answer_all(m, first, seconds(1110));
  EXPECT_EQ(vms_commanded(second), (std::vector<std::string>{"be"}));
}

TEST(FailoverCoordinatorRestartOrder, AVmWaitingToRetryDoesNotHoldLaterGroups) {
  Master m(pool_of(3, 16, {ordered("a", 0), ordered("c", 1)}));
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  const CoordinatorReady group0 = m.report_all(seconds(1100));
  ASSERT_EQ(vms_commanded(group0), (std::vector<std::string>{"a"}));
  const auto& [host, command] = group0.commands[0];
  const CoordinatorReady next = m.answer(seconds(1110), host, command, false, "VM_START_FAILED");
  EXPECT_EQ(vms_commanded(next), (std::vector<std::string>{"c"}));
}

TEST(FailoverCoordinatorRestartOrder, AnOperatorStartsDelayHoldsUpNoRestart) {
  VmRecord slow = vm_on("slow", kNoHost, 2);
  slow.start_delay = 600s;
  Master m(pool_of(3, 16, {slow, vm_on("web", 2, 2)}));
  settle_epoch_1(m);
  ASSERT_TRUE(m.coordinator().start_vm(seconds(1000), "slow", 1).ok);
  const CoordinatorReady started = m.coordinator().take_ready();
  ASSERT_EQ(vms_commanded(started), (std::vector<std::string>{"slow"}));
  answer_all(m, started, seconds(1010));
  EXPECT_EQ(m.vm("slow").power, VmPower::kRunning);

  m.announce(seconds(1020), liveset(2, {0, 1}, 0));
  EXPECT_EQ(vms_commanded(m.report_all(seconds(1020))), (std::vector<std::string>{"web"}));
}

TEST(FailoverCoordinatorRestartOrder, AStartInheritedFromTheLastMasterHoldsItsGroup) {
  // The dead master sent a's start to h1; c (a later group) waits until h1's
  // report says how that went.
  VmRecord a = vm_on("a", kNoHost, 2);
  a.always_run = true;
  a.scheduled_on = 1;
  VmRecord c = vm_on("c", kNoHost, 2);
  c.always_run = true;
  c.order = 1;
  Master m(pool_of(3, 16, {a, c}), seconds(10));
  m.announce(seconds(10), liveset(4, {0, 1, 2}, 0));
  m.report(seconds(10), 0, {});
  EXPECT_TRUE(m.report(seconds(10), 2, {}).commands.empty());
  const CoordinatorReady ready = m.report(seconds(11), 1, {"a"});
  EXPECT_EQ(m.vm("a").power, VmPower::kRunning);
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"c"}));
}

}  // namespace
}  // namespace poolha::failover

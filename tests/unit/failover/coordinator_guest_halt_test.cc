// A VM that halts by itself: a crash is always restarted; a shutdown from
// inside the guest is restarted only while the pool option says so.
#include <gtest/gtest.h>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

Master pool_with_web_on_h1(bool restart_on_internal_shutdown) {
  FailoverPolicy policy;
  policy.restart_on_internal_shutdown = restart_on_internal_shutdown;
  Master m(pool_of(3, 16, {vm_on("web", 1, 4)}, policy));
  settle_epoch_1(m);
  return m;
}

TEST(FailoverCoordinatorGuestHalt, AGuestShutdownIsRestartedWhileThePoolSaysSo) {
  Master m = pool_with_web_on_h1(true);
  const CoordinatorReady ready =
      m.report(seconds(1010), 1, {}, {VmHalt{"web", vm::HaltCause::kGuestShutdown}});
  const VmRecord* record = record_of(ready, "web");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->power, VmPower::kHalted);
  EXPECT_TRUE(record->always_run);
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"web"}));
  ASSERT_EQ(ready.acks.size(), 1u);
  EXPECT_EQ(ready.acks[0].first, 1);
  EXPECT_EQ(ready.acks[0].second.sequence, m.last_sequence(1));
  EXPECT_EQ(ready.acks[0].second.epoch, 1u);
  EXPECT_EQ(ready.acks[0].second.master, 0);
}

TEST(FailoverCoordinatorGuestHalt, AGuestShutdownStaysDownWhenThePoolOptionIsOff) {
  Master m = pool_with_web_on_h1(false);
  const CoordinatorReady ready =
      m.report(seconds(1010), 1, {}, {VmHalt{"web", vm::HaltCause::kGuestShutdown}});
  const VmRecord* record = record_of(ready, "web");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->power, VmPower::kHalted);
  EXPECT_FALSE(record->always_run);  // persisted: a new master keeps it down too
  EXPECT_TRUE(ready.commands.empty());
  EXPECT_TRUE(m.tick(seconds(5000)).commands.empty());
}

TEST(FailoverCoordinatorGuestHalt, ACrashIsRestartedWhateverThePoolOption) {
  for (bool option : {true, false}) {
    Master m = pool_with_web_on_h1(option);
    const CoordinatorReady ready =
        m.report(seconds(1010), 1, {}, {VmHalt{"web", vm::HaltCause::kGuestCrash}});
    EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"web"})) << option;
    EXPECT_TRUE(m.vm("web").always_run) << option;
  }
}

TEST(FailoverCoordinatorGuestHalt, AVmGoneFromAReportWithoutAHaltCountsAsACrash) {
  Master m = pool_with_web_on_h1(false);
  const CoordinatorReady ready = m.report(seconds(1010), 1, {});
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"web"}));
}

TEST(FailoverCoordinatorGuestHalt, AHaltRepeatedAfterTheVmRunsThereAgainIsIgnored) {
  Master m = pool_with_web_on_h1(false);
  const CoordinatorReady ready =
      m.report(seconds(1010), 1, {"web"}, {VmHalt{"web", vm::HaltCause::kGuestShutdown}});
  EXPECT_EQ(record_of(ready, "web"), nullptr);
  EXPECT_EQ(m.vm("web").power, VmPower::kRunning);
  EXPECT_TRUE(m.vm("web").always_run);
  EXPECT_EQ(ready.acks.size(), 1u);  // acknowledged all the same
}

TEST(FailoverCoordinatorGuestHalt, AHaltFromAnotherHostChangesNothing) {
  Master m = pool_with_web_on_h1(true);
  const CoordinatorReady ready =
      m.report(seconds(1010), 2, {}, {VmHalt{"web", vm::HaltCause::kGuestCrash}});
  EXPECT_EQ(record_of(ready, "web"), nullptr);
  EXPECT_EQ(m.vm("web").resident_on, 1);
}

TEST(FailoverCoordinatorGuestHalt, ABestEffortVmThatCrashesIsNotRestarted) {
  Master m(pool_of(3, 16, {vm_on("be", 1, 1, RestartPriority::kBestEffort)}));
  settle_epoch_1(m);
  const CoordinatorReady ready =
      m.report(seconds(1010), 1, {}, {VmHalt{"be", vm::HaltCause::kGuestCrash}});
  EXPECT_EQ(m.vm("be").power, VmPower::kHalted);
  EXPECT_TRUE(ready.commands.empty());
  EXPECT_TRUE(m.tick(seconds(2000)).commands.empty());
}

}  // namespace
}  // namespace poolha::failover

// Operator actions through the master: a VM shut down through the API stays
// down; starts, protection and the failures-to-tolerate target are refused
// when they would break the failover plan, unless overcommit is allowed.
#include <gtest/gtest.h>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

constexpr const char* kBreaksPlan = "HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN";

// Three 16 GiB hosts; protected a (10 GiB) on h0 and b (10 GiB) on h1. One
// host failure is covered (the other VM's host has 6 GiB left, h2 has 16),
// two are not. `halted` VMs are unprotected and down.
Master plan_for_one_failure(std::vector<VmRecord> halted, bool allow_overcommit = false) {
  FailoverPolicy policy;
  policy.failures_to_tolerate = 1;
  policy.allow_overcommit = allow_overcommit;
  std::vector<VmRecord> vms = {vm_on("a", 0, 10), vm_on("b", 1, 10)};
  for (VmRecord& vm : halted) vms.push_back(std::move(vm));
  Master m(pool_of(3, 16, std::move(vms), policy));
  settle_epoch_1(m);
  EXPECT_EQ(m.coordinator().status(), (PlanStatus{1, 1, false, 1}));
  return m;
}

VmRecord unprotected_halted(const std::string& uuid, std::uint64_t gib) {
  return vm_on(uuid, kNoHost, gib, RestartPriority::kUnprotected);
}

TEST(FailoverCoordinatorApi, AShutdownVmStaysDown) {
  Master m(pool_of(3, 16, {vm_on("web", 1, 4)}));
  settle_epoch_1(m);
  ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(1010), "web").ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  ASSERT_EQ(ready.commands.size(), 1u);
  EXPECT_EQ(ready.commands[0].first, 1);
  EXPECT_EQ(ready.commands[0].second.kind, VmCommand::Kind::kStop);
  const VmRecord* record = record_of(ready, "web");
  ASSERT_NE(record, nullptr);
  EXPECT_FALSE(record->always_run);  // persisted before the stop goes out

  m.answer(seconds(1015), 1, ready.commands[0].second, true);
  EXPECT_EQ(m.vm("web").power, VmPower::kHalted);
  EXPECT_TRUE(m.report(seconds(1016), 1, {}).commands.empty());
  EXPECT_TRUE(m.tick(seconds(5000)).commands.empty());

  // Its host dies later: still nothing to restart.
  m.announce(seconds(6000), liveset(2, {0, 2}, 0));
  EXPECT_TRUE(m.report_all(seconds(6000)).commands.empty());
  EXPECT_EQ(m.vm("web").power, VmPower::kHalted);
}

TEST(FailoverCoordinatorApi, AVmBeingShutDownWhenItsHostDiesStaysDown) {
  Master m(pool_of(
      3, 16,
      {vm_on("web", 1, 4), vm_on("be", 1, 1, RestartPriority::kBestEffort), vm_on("db", 1, 4)}));
  settle_epoch_1(m);
  ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(1010), "web").ok);
  ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(1010), "be").ok);
  m.coordinator().take_ready();
  m.announce(seconds(1050), liveset(2, {0, 2}, 0));
  const CoordinatorReady ready = m.report_all(seconds(1050));
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"db"}));
  for (const auto& [host, command] : ready.commands) m.answer(seconds(1060), host, command, true);
  EXPECT_TRUE(m.tick(seconds(5000)).commands.empty());
  EXPECT_EQ(m.vm("web").power, VmPower::kHalted);
  EXPECT_EQ(m.vm("be").power, VmPower::kHalted);
}

TEST(FailoverCoordinatorApi, ActionsOnAVmInTheWrongStateAreRefused) {
  Master m(pool_of(3, 16, {vm_on("web", 1, 4), unprotected_halted("off", 1)}));
  settle_epoch_1(m);
  EXPECT_EQ(m.coordinator().start_vm(seconds(1010), "web", std::nullopt).error,
            "VM_BAD_POWER_STATE");
  EXPECT_EQ(m.coordinator().shutdown_vm(seconds(1010), "off").error, "VM_BAD_POWER_STATE");
  EXPECT_EQ(m.coordinator().shutdown_vm(seconds(1010), "nope").error, "UUID_INVALID");
  ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(1010), "web").ok);
  EXPECT_EQ(m.coordinator().shutdown_vm(seconds(1011), "web").error, "VM_BAD_POWER_STATE");
  EXPECT_EQ(m.coordinator().start_vm(seconds(1010), "off", HostIndex{2}).error, "");
  EXPECT_EQ(m.coordinator().start_vm(seconds(1011), "off", HostIndex{2}).error,
            "VM_BAD_POWER_STATE");
}

TEST(FailoverCoordinatorApi, AStartNeedsAHostThatReportedOnThisLiveset) {
  Master m(pool_of(3, 16, {unprotected_halted("off", 1)}));
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1, 2}, 0));
  m.report(seconds(1100), 0, {});
  EXPECT_EQ(m.coordinator().start_vm(seconds(1100), "off", HostIndex{1}).error, "HOST_OFFLINE");
  EXPECT_EQ(m.coordinator().start_vm(seconds(1100), "off", HostIndex{9}).error, "HOST_OFFLINE");
  m.report(seconds(1101), 1, {});
  EXPECT_TRUE(m.coordinator().start_vm(seconds(1101), "off", HostIndex{1}).ok);
}

TEST(FailoverCoordinatorApi, StartingARestartPriorityVmProtectsIt) {
  Master m(pool_of(3, 16, {vm_on("web", kNoHost, 4)}));
  settle_epoch_1(m);
  ASSERT_FALSE(m.vm("web").always_run);
  ASSERT_TRUE(m.coordinator().start_vm(seconds(1010), "web", std::nullopt).ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  ASSERT_EQ(ready.commands.size(), 1u);
  const VmRecord* record = record_of(ready, "web");
  ASSERT_NE(record, nullptr);
  EXPECT_TRUE(record->always_run);
  EXPECT_EQ(record->scheduled_on, ready.commands[0].first);
}

TEST(FailoverCoordinatorApi, AStartThatWouldBreakThePlanIsRefused) {
  // 12 GiB on h2 (the only host with room) leaves neither a nor b anywhere to go.
  Master m = plan_for_one_failure({unprotected_halted("x", 12)});
  const ApiResult r = m.coordinator().start_vm(seconds(1010), "x", std::nullopt);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, kBreaksPlan);
  const CoordinatorReady ready = m.coordinator().take_ready();
  EXPECT_TRUE(ready.commands.empty());
  EXPECT_TRUE(ready.records.empty());
  EXPECT_EQ(m.vm("x").power, VmPower::kHalted);
}

TEST(FailoverCoordinatorApi, AllowingOvercommitLetsThePlanBreakingStartThrough) {
  Master m = plan_for_one_failure({unprotected_halted("x", 12)}, true);
  ASSERT_TRUE(m.coordinator().start_vm(seconds(1010), "x", std::nullopt).ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  ASSERT_EQ(ready.commands.size(), 1u);
  EXPECT_EQ(ready.commands[0].first, 2);
  EXPECT_TRUE(ready.status);
  EXPECT_TRUE(ready.status->overcommitted);
  EXPECT_EQ(alerts_named(ready, "HA_POOL_OVERCOMMITTED"), 1u);
}

TEST(FailoverCoordinatorApi, StartsUnderWayCountTowardsThePlan) {
  // Each of x and y alone fits on h2 next to a failed host's VM; both do not.
  Master m = plan_for_one_failure({unprotected_halted("x", 6), unprotected_halted("y", 6)});
  ASSERT_TRUE(m.coordinator().start_vm(seconds(1010), "x", std::nullopt).ok);
  EXPECT_EQ(m.coordinator().take_ready().commands.at(0).first, 2);
  EXPECT_EQ(m.coordinator().start_vm(seconds(1011), "y", std::nullopt).error, kBreaksPlan);
}

TEST(FailoverCoordinatorApi, ARaisedTargetBeyondWhatThePoolCanTakeIsRefused) {
  Master m = plan_for_one_failure({});
  EXPECT_EQ(m.coordinator().set_failures_to_tolerate(seconds(1010), 2).error, kBreaksPlan);
  EXPECT_EQ(m.coordinator().status(), (PlanStatus{1, 1, false, 1}));
  EXPECT_TRUE(m.coordinator().take_ready().alerts.empty());
  EXPECT_TRUE(m.coordinator().set_failures_to_tolerate(seconds(1010), 1).ok);
  EXPECT_TRUE(m.coordinator().set_failures_to_tolerate(seconds(1010), 0).ok);
}

TEST(FailoverCoordinatorApi, AllowingOvercommitLetsTheTargetRise) {
  Master m = plan_for_one_failure({}, true);
  ASSERT_TRUE(m.coordinator().set_failures_to_tolerate(seconds(1010), 2).ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  EXPECT_EQ(m.coordinator().status(), (PlanStatus{2, 1, true, 1}));
  EXPECT_EQ(alerts_named(ready, "HA_POOL_OVERCOMMITTED"), 1u);
}

TEST(FailoverCoordinatorApi, ANewTargetIsPersistedEvenWhenThePlanStaysTheSame) {
  // Overcommit allowed, the planner proves 1: targets 2 and 3 both leave the
  // plan at 1, yet the second must still reach the database, or a new master
  // would start from the old target.
  Master m = plan_for_one_failure({}, true);
  ASSERT_TRUE(m.coordinator().set_failures_to_tolerate(seconds(1010), 2).ok);
  m.coordinator().take_ready();
  ASSERT_TRUE(m.coordinator().set_failures_to_tolerate(seconds(1020), 3).ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  ASSERT_TRUE(ready.status);
  EXPECT_EQ(*ready.status, (PlanStatus{3, 1, true, 1}));
  EXPECT_TRUE(ready.alerts.empty());  // still overcommitted, no drop
}

TEST(FailoverCoordinatorApi, ProtectingAVmThatWouldBreakThePlanIsRefused) {
  // Two 16 GiB hosts: a (6 GiB, protected) and x (6 GiB) on h0, b (6 GiB)
  // on h1. h1 takes a if h0 fails, but not a and x.
  FailoverPolicy policy;
  policy.failures_to_tolerate = 1;
  Master m(pool_of(2, 16,
                   {vm_on("a", 0, 6), vm_on("x", 0, 6, RestartPriority::kUnprotected),
                    vm_on("b", 1, 6, RestartPriority::kUnprotected)},
                   policy));
  m.announce(seconds(1000), liveset(1, {0, 1}, 0));
  m.report_all(seconds(1000));
  ASSERT_EQ(m.coordinator().status().plan_exists_for, 1u);
  const ApiResult r =
      m.coordinator().set_restart_priority(seconds(1010), "x", RestartPriority::kRestart);
  EXPECT_EQ(r.error, kBreaksPlan);
  EXPECT_EQ(m.vm("x").priority, RestartPriority::kUnprotected);
  // Best-effort VMs are not in the plan: allowed.
  EXPECT_TRUE(
      m.coordinator().set_restart_priority(seconds(1010), "x", RestartPriority::kBestEffort).ok);
  EXPECT_FALSE(m.vm("x").always_run);
}

TEST(FailoverCoordinatorApi, ProtectingAVmBeingShutDownDoesNotKeepItUp) {
  Master m(pool_of(3, 16, {vm_on("web", 1, 4, RestartPriority::kBestEffort)}));
  settle_epoch_1(m);
  ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(1010), "web").ok);
  const VmCommand stop = m.coordinator().take_ready().commands.at(0).second;
  ASSERT_TRUE(
      m.coordinator().set_restart_priority(seconds(1011), "web", RestartPriority::kRestart).ok);
  EXPECT_FALSE(m.vm("web").always_run);
  m.answer(seconds(1015), 1, stop, true);
  EXPECT_TRUE(m.tick(seconds(2000)).commands.empty());
  EXPECT_EQ(m.vm("web").power, VmPower::kHalted);
}

TEST(FailoverCoordinatorApi, OrderAndStartDelayArePersisted) {
  Master m(pool_of(3, 16, {vm_on("web", 1, 4)}));
  settle_epoch_1(m);
  ASSERT_TRUE(m.coordinator().set_order(seconds(1010), "web", 3).ok);
  ASSERT_TRUE(m.coordinator().set_start_delay(seconds(1010), "web", 20s).ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  const VmRecord* written = record_of(ready, "web");
  ASSERT_NE(written, nullptr);
  EXPECT_EQ(written->order, 3);
  EXPECT_EQ(written->start_delay, 20s);
  EXPECT_TRUE(ready.commands.empty());
  EXPECT_EQ(m.coordinator().set_order(seconds(1010), "nope", 1).error, "UUID_INVALID");
  EXPECT_EQ(m.coordinator().set_start_delay(seconds(1010), "web", -1s).error, "INVALID_VALUE");
  EXPECT_EQ(m.vm("web").start_delay, 20s);
}

TEST(FailoverCoordinatorApi, ADisabledHostTakesNoStartsAndLowersThePlan) {
  // Three 16 GiB hosts, a and b (10 GiB each) on h0 and h1: with h2
  // disabled, neither host failure can be covered any more.
  Master m = plan_for_one_failure({unprotected_halted("idle", 2)});
  EXPECT_TRUE(m.coordinator().plan_exists_for(1));
  EXPECT_EQ(m.coordinator().max_failures_to_tolerate(), 1u);
  ASSERT_TRUE(m.coordinator().set_host_enabled(seconds(1010), 2, false).ok);
  m.coordinator().take_ready();
  EXPECT_FALSE(m.coordinator().plan_exists_for(1));
  EXPECT_TRUE(m.coordinator().plan_exists_for(0));
  EXPECT_EQ(m.coordinator().max_failures_to_tolerate(), 0u);
  // An operator start picks an enabled host even though h2 has the most room.
  ASSERT_TRUE(m.coordinator().start_vm(seconds(1020), "idle", std::nullopt).ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  ASSERT_EQ(ready.commands.size(), 1u);
  EXPECT_NE(ready.commands[0].first, 2);
  EXPECT_EQ(m.coordinator().set_host_enabled(seconds(1030), 9, true).error, "HANDLE_INVALID");
}

}  // namespace
}  // namespace poolha::failover

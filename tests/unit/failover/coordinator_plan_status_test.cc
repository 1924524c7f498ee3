// The pool's plan status (plan exists for how many host failures, and
// whether that falls short of the target) and its alerts, raised once per
// transition.
#include <gtest/gtest.h>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

constexpr const char* kOvercommitted = "HA_POOL_OVERCOMMITTED";
constexpr const char* kDrop = "HA_POOL_DROP_IN_PLAN_EXISTS_FOR";

// Protected a (10 GiB) on h0 and b (10 GiB) on h1 of three 16 GiB hosts, a
// target of one failure. With h2 the pool covers one failure; without it, none.
Master target_one() {
  FailoverPolicy policy;
  policy.failures_to_tolerate = 1;
  return Master(pool_of(3, 16, {vm_on("a", 0, 10), vm_on("b", 1, 10)}, policy));
}

TEST(FailoverCoordinatorPlanStatus, TheFirstLivesetSetsTheStatusWithoutAlerts) {
  Master m = target_one();
  const CoordinatorReady ready = settle_epoch_1(m);
  EXPECT_EQ(m.coordinator().status(), (PlanStatus{1, 1, false, 1}));
  EXPECT_TRUE(ready.alerts.empty());
  EXPECT_FALSE(m.tick(seconds(1010)).status);  // unchanged: nothing to persist
}

TEST(FailoverCoordinatorPlanStatus, LostCapacityAlertsOnceForOvercommitAndForTheDrop) {
  Master m = target_one();
  settle_epoch_1(m);
  const CoordinatorReady lost = m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  ASSERT_TRUE(lost.status);
  EXPECT_EQ(*lost.status, (PlanStatus{1, 0, true, 0}));
  EXPECT_EQ(alerts_named(lost, kOvercommitted), 1u);
  EXPECT_EQ(alerts_named(lost, kDrop), 1u);

  for (const CoordinatorReady& later :
       {m.report_all(seconds(1101)), m.tick(seconds(1200)), m.report_all(seconds(1300))}) {
    EXPECT_TRUE(later.alerts.empty());
    EXPECT_FALSE(later.status);
  }
}

TEST(FailoverCoordinatorPlanStatus, RecoveryIsQuietAndTheNextLossAlertsAgain) {
  Master m = target_one();
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  const CoordinatorReady back = m.announce(seconds(1200), liveset(3, {0, 1, 2}, 0, {{2, 2}}));
  ASSERT_TRUE(back.status);
  EXPECT_EQ(*back.status, (PlanStatus{1, 1, false, 1}));
  EXPECT_TRUE(back.alerts.empty());
  const CoordinatorReady lost = m.announce(seconds(1300), liveset(4, {0, 1}, 0));
  EXPECT_EQ(alerts_named(lost, kOvercommitted), 1u);
  EXPECT_EQ(alerts_named(lost, kDrop), 1u);
}

TEST(FailoverCoordinatorPlanStatus, LoweringTheTargetIsNoDrop) {
  Master m = target_one();
  settle_epoch_1(m);
  ASSERT_TRUE(m.coordinator().set_failures_to_tolerate(seconds(1010), 0).ok);
  const CoordinatorReady ready = m.coordinator().take_ready();
  ASSERT_TRUE(ready.status);
  EXPECT_EQ(*ready.status, (PlanStatus{0, 0, false, 1}));
  EXPECT_TRUE(ready.alerts.empty());
}

TEST(FailoverCoordinatorPlanStatus, AFurtherDropWhileOvercommittedAlertsTheDropOnly) {
  // Target 2 with overcommit allowed: overcommitted from the start (the
  // planner proves 1); losing h2 drops the plan to 0.
  FailoverPolicy policy;
  policy.failures_to_tolerate = 2;
  policy.allow_overcommit = true;
  Master m(pool_of(3, 16, {vm_on("a", 0, 10), vm_on("b", 1, 10)}, policy));
  const CoordinatorReady first = settle_epoch_1(m);
  EXPECT_EQ(m.coordinator().status(), (PlanStatus{2, 1, true, 1}));
  EXPECT_EQ(alerts_named(first, kOvercommitted), 1u);
  const CoordinatorReady lost = m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  EXPECT_EQ(alerts_named(lost, kOvercommitted), 0u);  // it was already
  EXPECT_EQ(alerts_named(lost, kDrop), 1u);
}

TEST(FailoverCoordinatorPlanStatus, AProtectedVmTiedToItsHostMeansOvercommitted) {
  VmRecord pinned = vm_on("pinned", 1, 1);
  pinned.agile = false;
  Master m(pool_of(3, 16, {pinned}));
  const CoordinatorReady ready = settle_epoch_1(m);
  EXPECT_TRUE(m.coordinator().status().overcommitted);
  EXPECT_EQ(alerts_named(ready, kOvercommitted), 1u);
}

}  // namespace
}  // namespace poolha::failover

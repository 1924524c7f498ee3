// Restarts that fail or cannot be placed: alerts once per VM, retries spaced
// by retry_interval and capped at max_attempts until the liveset changes; a
// host's refusal because it acts on another liveset is no attempt.
#include <gtest/gtest.h>

#include <tuple>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

constexpr const char* kRestartFailed = "HA_PROTECTED_VM_RESTART_FAILED";

FailoverPolicy retry_policy() {
  FailoverPolicy policy;
  policy.retry_interval = 30s;
  policy.max_attempts = 3;
  policy.best_effort_retry_interval = 20s;
  policy.best_effort_attempts = 2;
  policy.command_resend = 10s;
  policy.command_timeout = 5min;
  return policy;
}

// h2 (with `vms` on it) has just left; h0 and h1 have reported at 1100 s.
CoordinatorReady lose_h2(Master& m) {
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  return m.report_all(seconds(1100));
}

TEST(FailoverCoordinatorRetries, AProtectedVmWithNowhereToGoAlertsOnce) {
  Master m(pool_of(3, 16, {vm_on("big", 2, 20)}, retry_policy()));
  const CoordinatorReady ready = lose_h2(m);
  EXPECT_TRUE(ready.commands.empty());
  ASSERT_EQ(alerts_named(ready, kRestartFailed), 1u);
  EXPECT_EQ(ready.alerts[0].vm, "big");
  for (int s : {1130, 1160, 1190, 5000}) {
    const CoordinatorReady later = m.tick(seconds(s));
    EXPECT_TRUE(later.commands.empty()) << s;
    EXPECT_TRUE(later.alerts.empty()) << s;
  }
}

TEST(FailoverCoordinatorRetries, RetriesAreSpacedByTheRetryInterval) {
  Master m(pool_of(3, 16, {vm_on("web", 2, 4)}, retry_policy()));
  const CoordinatorReady first = lose_h2(m);
  ASSERT_EQ(first.commands.size(), 1u);
  const auto [host, command] = first.commands[0];
  const CoordinatorReady failed = m.answer(seconds(1105), host, command, false, "VM_START_FAILED");
  EXPECT_TRUE(failed.commands.empty());
  EXPECT_EQ(alerts_named(failed, kRestartFailed), 1u);
  EXPECT_EQ(m.vm("web").scheduled_on, kNoHost);

  EXPECT_LE(m.coordinator().next_wakeup(), seconds(1135));
  EXPECT_TRUE(m.tick(seconds(1134)).commands.empty());
  const CoordinatorReady retry = m.tick(seconds(1135));
  ASSERT_EQ(retry.commands.size(), 1u);
  EXPECT_NE(retry.commands[0].second.id, command.id);  // a new attempt, not a resend

  const CoordinatorReady failed_again =
      m.answer(seconds(1140), retry.commands[0].first, retry.commands[0].second, false, "X");
  EXPECT_EQ(alerts_named(failed_again, kRestartFailed), 0u);  // alerted already
}

TEST(FailoverCoordinatorRetries, AttemptsStopAtMaxAttemptsUntilTheLivesetChanges) {
  Master m(pool_of(3, 16, {vm_on("web", 2, 4)}, retry_policy()));
  CoordinatorReady ready = lose_h2(m);
  std::int64_t now = 1100;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(ready.commands.size(), 1u) << "attempt " << attempt;
    const auto [host, command] = ready.commands[0];
    m.answer(seconds(now), host, command, false, "VM_START_FAILED");
    now += 30;
    ready = m.tick(seconds(now));
  }
  EXPECT_TRUE(ready.commands.empty());
  EXPECT_TRUE(m.tick(seconds(now + 3600)).commands.empty());

  // h2 is back (a new incarnation): capacity changed, so a fresh round.
  m.announce(seconds(now + 3600), liveset(3, {0, 1, 2}, 0, {{2, 2}}));
  m.report(seconds(now + 3600), 0, {});
  m.report(seconds(now + 3600), 1, {});
  EXPECT_EQ(m.report(seconds(now + 3600), 2, {}, {}, 2).commands.size(), 1u);
}

TEST(FailoverCoordinatorRetries, ARefusalForAnotherLivesetIsNoAttemptAndGoesAgain) {
  FailoverPolicy policy = retry_policy();
  policy.max_attempts = 1;
  Master m(pool_of(3, 16, {vm_on("web", 2, 4)}, policy));
  const CoordinatorReady first = lose_h2(m);
  ASSERT_EQ(first.commands.size(), 1u);
  const auto [host, command] = first.commands[0];
  const CoordinatorReady refused =
      m.answer(seconds(1100), host, command, false, "HA_STALE_LIVESET: host acts on epoch 1");
  EXPECT_TRUE(refused.commands.empty());
  EXPECT_TRUE(refused.alerts.empty());
  EXPECT_EQ(m.vm("web").scheduled_on, host);  // still under way

  // The host's next report shows it acts on this liveset: the same command goes again.
  const CoordinatorReady resent = m.report(seconds(1101), host, {});
  ASSERT_EQ(resent.commands.size(), 1u);
  EXPECT_EQ(resent.commands[0].first, host);
  EXPECT_EQ(resent.commands[0].second.id, command.id);
  m.answer(seconds(1110), host, command, true);
  EXPECT_EQ(m.vm("web").power, VmPower::kRunning);
  EXPECT_EQ(m.vm("web").resident_on, host);
}

TEST(FailoverCoordinatorRetries, AnUnansweredCommandGoesAgainWithItsRecord) {
  Master m(pool_of(3, 16, {vm_on("web", 2, 4)}, retry_policy()));
  const CoordinatorReady first = lose_h2(m);
  ASSERT_EQ(first.commands.size(), 1u);
  const auto [host, command] = first.commands[0];
  EXPECT_TRUE(m.tick(seconds(1109)).commands.empty());
  const CoordinatorReady again = m.tick(seconds(1110));
  ASSERT_EQ(again.commands.size(), 1u);
  EXPECT_EQ(again.commands[0].first, host);
  EXPECT_EQ(again.commands[0].second.id, command.id);
  EXPECT_EQ(again.commands[0].second.epoch, command.epoch);
  const VmRecord* record = record_of(again, "web");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->scheduled_on, host);
  EXPECT_EQ(m.tick(seconds(1120)).commands.size(), 1u);
}

TEST(FailoverCoordinatorRetries, BestEffortAttemptsAreCappedAndRaiseNoAlert) {
  Master m(pool_of(3, 16, {vm_on("be", 2, 1, RestartPriority::kBestEffort)}, retry_policy()));
  CoordinatorReady ready = lose_h2(m);
  ASSERT_EQ(ready.commands.size(), 1u);
  auto [host, command] = ready.commands[0];
  EXPECT_TRUE(m.answer(seconds(1101), host, command, false, "X").alerts.empty());
  EXPECT_TRUE(m.tick(seconds(1120)).commands.empty());
  ready = m.tick(seconds(1121));
  ASSERT_EQ(ready.commands.size(), 1u);
  std::tie(host, command) = ready.commands[0];
  m.answer(seconds(1122), host, command, false, "X");
  EXPECT_TRUE(m.tick(seconds(1200)).commands.empty());
  EXPECT_TRUE(m.tick(seconds(9000)).commands.empty());
}

}  // namespace
}  // namespace poolha::failover

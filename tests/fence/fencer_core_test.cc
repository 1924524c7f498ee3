// FencerCore's decisions: when an armed host fences and when nothing happens.
#include "fence/fencer_core.h"

#include <gtest/gtest.h>

namespace poolha::fence {
namespace {

const TimePoint kStart = from_us(1'000'000);

TEST(FencerCoreTest, MissedKickFencesAfterExactlyTheTimeout) {
  FencerCore core;
  core.arm(kStart, 2s);
  EXPECT_EQ(core.deadline(), kStart + 2s);
  core.tick(kStart + 2s - 1us);
  EXPECT_FALSE(core.take_fence().has_value());
  EXPECT_TRUE(core.armed());
  core.tick(kStart + 2s);
  const auto order = core.take_fence();
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->cause, FenceCause::kMissedKicks);
  EXPECT_EQ(order->decided_at, kStart + 2s);
  EXPECT_EQ(order->reason, "no kick for 2000 ms (watchdog timeout 2000 ms)");
  EXPECT_FALSE(core.armed());
  EXPECT_FALSE(core.deadline().has_value());
  EXPECT_FALSE(core.take_fence().has_value()) << "an order is handed out once";
}

TEST(FencerCoreTest, KicksKeepItAlive) {
  FencerCore core;
  core.arm(kStart, 1s);
  TimePoint now = kStart;
  for (int i = 0; i < 20; ++i) {
    now += 999ms;
    core.tick(now);
    ASSERT_TRUE(core.kick(now)) << "kick " << i;
  }
  EXPECT_FALSE(core.take_fence().has_value());
  EXPECT_EQ(core.deadline(), now + 1s);
  core.tick(now + 1s);
  EXPECT_TRUE(core.take_fence().has_value());
}

TEST(FencerCoreTest, AKickAtTheDeadlineIsTooLate) {
  FencerCore core;
  core.arm(kStart, 1s);
  EXPECT_FALSE(core.kick(kStart + 1s));
  const auto order = core.take_fence();
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->cause, FenceCause::kMissedKicks);
}

TEST(FencerCoreTest, RearmingChangesTheTimeoutAndCountsAsAKick) {
  FencerCore core;
  core.arm(kStart, 1s);
  core.arm(kStart + 900ms, 5s);
  EXPECT_EQ(core.timeout(), 5s);
  EXPECT_EQ(core.deadline(), kStart + 900ms + 5s);
  core.tick(kStart + 5s);
  EXPECT_FALSE(core.take_fence().has_value());
}

TEST(FencerCoreTest, DisarmStopsTheCountdown) {
  FencerCore core;
  core.arm(kStart, 1s);
  core.disarm(kStart + 500ms);
  EXPECT_FALSE(core.armed());
  EXPECT_FALSE(core.deadline().has_value());
  core.tick(kStart + 1h);
  EXPECT_FALSE(core.take_fence().has_value());
  EXPECT_FALSE(core.kick(kStart + 1h)) << "nothing to keep alive";
}

TEST(FencerCoreTest, FenceRequestFencesAtOnceWithTheEnginesReason) {
  FencerCore core;
  core.arm(kStart, 10s);
  EXPECT_TRUE(core.fence_request(kStart + 1s, "lost the statefile and the liveset"));
  const auto order = core.take_fence();
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->cause, FenceCause::kEngineRequest);
  EXPECT_EQ(order->reason, "lost the statefile and the liveset");
  EXPECT_EQ(order->decided_at, kStart + 1s);
  EXPECT_FALSE(core.armed());
}

TEST(FencerCoreTest, FenceRequestWhileDisarmedFencesNothing) {
  FencerCore core;
  EXPECT_FALSE(core.fence_request(kStart, "never armed"));
  core.arm(kStart, 1s);
  core.disarm(kStart + 1ms);
  EXPECT_FALSE(core.fence_request(kStart + 2ms, "disarmed"));
  EXPECT_FALSE(core.take_fence().has_value());
}

TEST(FencerCoreTest, PeerGoneWhileArmedFences) {
  FencerCore core;
  core.arm(kStart, 10s);
  core.peer_gone(kStart + 3s);
  const auto order = core.take_fence();
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->cause, FenceCause::kDaemonGone);
  EXPECT_EQ(order->decided_at, kStart + 3s);
}

TEST(FencerCoreTest, PeerGoneWhileDisarmedDoesNothing) {
  FencerCore never_armed;
  never_armed.peer_gone(kStart);
  EXPECT_FALSE(never_armed.take_fence().has_value());

  FencerCore disarmed;
  disarmed.arm(kStart, 1s);
  disarmed.disarm(kStart + 10ms);
  disarmed.peer_gone(kStart + 20ms);
  EXPECT_FALSE(disarmed.take_fence().has_value());
}

TEST(FencerCoreTest, StoppingWhileArmedFencesAndWhileDisarmedDoesNot) {
  FencerCore armed;
  armed.arm(kStart, 10s);
  armed.stopping(kStart + 1s);
  const auto order = armed.take_fence();
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->cause, FenceCause::kFencerStopped);

  FencerCore disarmed;
  disarmed.stopping(kStart);
  EXPECT_FALSE(disarmed.take_fence().has_value());
}

TEST(FencerCoreTest, ALateInputFencesForTheMissedKickFirst) {
  FencerCore core;
  core.arm(kStart, 1s);
  // The daemon asks to fence, but its deadline had already passed: the
  // record must say the kicks stopped, which is what happened first.
  EXPECT_FALSE(core.fence_request(kStart + 3s, "too late"));
  const auto order = core.take_fence();
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->cause, FenceCause::kMissedKicks);
  EXPECT_EQ(order->reason, "no kick for 3000 ms (watchdog timeout 1000 ms)");
}

TEST(FencerCoreTest, ServesTheNextDaemonAfterAFence) {
  FencerCore core;
  core.arm(kStart, 1s);
  core.peer_gone(kStart + 1ms);
  ASSERT_TRUE(core.take_fence().has_value());
  core.arm(kStart + 1s, 2s);
  EXPECT_TRUE(core.armed());
  EXPECT_TRUE(core.kick(kStart + 2s));
  EXPECT_FALSE(core.take_fence().has_value());
}

}  // namespace
}  // namespace poolha::fence

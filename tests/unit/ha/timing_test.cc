#include "ha/timing.h"

#include <gtest/gtest.h>

namespace poolha::ha {
namespace {

// Returns by value: the variant is usually a temporary of the caller's expression.
Timing ok(const std::variant<Timing, std::string>& r) {
  if (auto* why = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << *why;
    return Timing{};
  }
  return std::get<Timing>(r);
}

std::string refused(const std::variant<Timing, std::string>& r) {
  EXPECT_TRUE(std::holds_alternative<std::string>(r));
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

TEST(Timing, DerivesEverythingFromBase) {
  const Timing t = ok(make_timing(30s));
  EXPECT_EQ(t.base, 30s);
  EXPECT_EQ(t.hb_interval, 1s);
  EXPECT_EQ(t.peer_timeout, 15s);
  EXPECT_EQ(t.lease, 30s);
  EXPECT_EQ(t.watchdog, 7500ms);
  EXPECT_EQ(t.margin, 1500ms);
}

TEST(Timing, DefaultsAreSafeAcrossTheRange) {
  for (int seconds : {5, 10, 30, 60, 90, 120, 600, 3600}) {
    auto r = make_timing(Duration(std::chrono::seconds(seconds)));
    EXPECT_TRUE(std::holds_alternative<Timing>(r)) << seconds << "s: " << std::get<std::string>(r);
  }
}

TEST(Timing, RefusesBaseOutsideRange) {
  EXPECT_NE(refused(make_timing(1s)).find("outside"), std::string::npos);
  EXPECT_NE(refused(make_timing(7200s)).find("outside"), std::string::npos);
}

TEST(Timing, RefusesTooSmallMarginForFenceLatency) {
  // At T=3s the default margin (150 ms) cannot cover a 200 ms fence latency.
  std::string why = refused(make_timing(3s));
  EXPECT_NE(why.find("margin"), std::string::npos) << why;
  EXPECT_NE(why.find("fence latency"), std::string::npos) << why;
}

TEST(Timing, RefusesWatchdogThatCanNeverBeKicked) {
  TimingOverrides o;
  o.watchdog = 29s;
  std::string why = refused(make_timing(30s, o));
  EXPECT_NE(why.find("watchdog"), std::string::npos) << why;
  EXPECT_NE(why.find("lease"), std::string::npos) << why;
}

TEST(Timing, RefusesLeaseShorterThanDetectionAndDecision) {
  TimingOverrides o;
  o.lease = 16s;
  o.watchdog = 5s;
  std::string why = refused(make_timing(30s, o));
  EXPECT_NE(why.find("decision"), std::string::npos) << why;
}

TEST(Timing, RefusesCommitWindowThatCouldGoUnseen) {
  TimingOverrides o;
  o.commit_window = 14s;
  std::string why = refused(make_timing(30s, o));
  EXPECT_NE(why.find("commit_window"), std::string::npos) << why;
  EXPECT_NE(why.find("two livesets"), std::string::npos) << why;
}

TEST(Timing, RefusesTooFewHeartbeatsPerTimeout) {
  TimingOverrides o;
  o.hb_interval = 5s;
  std::string why = refused(make_timing(30s, o));
  EXPECT_NE(why.find("heartbeat intervals"), std::string::npos) << why;
}

TEST(Timing, RefusesNonPositiveOverride) {
  TimingOverrides o;
  o.sf_interval = 0s;
  EXPECT_NE(refused(make_timing(30s, o)).find("sf_interval must be positive"), std::string::npos);
}

TEST(Timing, ClockDriftIsPartOfTheSafetyBound) {
  EnvironmentBounds env;
  env.clock_drift = 0.2;  // wildly unstable clocks
  std::string why = refused(make_timing(30s, {}, env));
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace poolha::ha

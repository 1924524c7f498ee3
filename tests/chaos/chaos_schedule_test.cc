// The chaos schedule is a pure function of its options: a seed replays the
// same faults, every fault keeps its bounds, every kind turns up, and the
// run gets exactly the number of faults it asked for.
#include "chaos/chaos_schedule.h"

#include <cstdlib>
#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

namespace poolha::chaos {
namespace {

bool same_fault(const ScheduledFault& a, const ScheduledFault& b) {
  return a.number == b.number && a.kind == b.kind && a.host == b.host && a.peer == b.peer &&
         a.gap == b.gap && a.duration == b.duration && a.flap_period == b.flap_period &&
         a.flap_down == b.flap_down && a.clock_offset == b.clock_offset &&
         a.loss_percent == b.loss_percent;
}

ScheduleOptions options_for(std::uint64_t seed, std::size_t hosts = 5, std::size_t faults = 50) {
  ScheduleOptions options;
  options.seed = seed;
  options.hosts = hosts;
  options.faults = faults;
  options.ha_timeout_seconds = 10;
  return options;
}

TEST(ChaosSchedule, TheSameSeedGivesTheSameSchedule) {
  const auto first = make_chaos_schedule(options_for(7));
  const auto second = make_chaos_schedule(options_for(7));
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(same_fault(first[i], second[i])) << "fault " << i + 1;
  }
}

TEST(ChaosSchedule, AnotherSeedGivesAnotherSchedule) {
  const auto one = make_chaos_schedule(options_for(1));
  const auto two = make_chaos_schedule(options_for(2));
  std::size_t differing = 0;
  for (std::size_t i = 0; i < one.size(); ++i) differing += same_fault(one[i], two[i]) ? 0 : 1;
  EXPECT_GT(differing, one.size() / 2);
}

TEST(ChaosSchedule, ExactlyTheFaultsAskedFor) {
  for (const std::size_t faults : {1u, 3u, 20u, 200u}) {
    const auto schedule = make_chaos_schedule(options_for(3, 3, faults));
    ASSERT_EQ(schedule.size(), faults);
    for (std::size_t i = 0; i < schedule.size(); ++i) EXPECT_EQ(schedule[i].number, i + 1);
  }
}

TEST(ChaosSchedule, EveryFaultKeepsItsBounds) {
  for (const std::size_t hosts : {2u, 3u, 7u}) {
    for (const int t : {5, 10, 30}) {
      ScheduleOptions options = options_for(11, hosts, 400);
      options.ha_timeout_seconds = t;
      const ScheduleBounds b = schedule_bounds(t);
      EXPECT_EQ(b.watchdog, Millis(t * 1000 / 4));
      for (const ScheduledFault& f : make_chaos_schedule(options)) {
        SCOPED_TRACE(describe_fault(f));
        EXPECT_LT(f.host, hosts);
        EXPECT_LT(f.peer, hosts);
        EXPECT_NE(f.peer, f.host);
        EXPECT_GE(f.gap, b.gap_min);
        EXPECT_LE(f.gap, b.gap_max);
        EXPECT_GT(f.duration.count(), 0);
        switch (f.kind) {
          case FaultKind::kDaemonHang: {
            const bool below = f.duration >= b.short_hang_min && f.duration <= b.short_hang_max;
            const bool above = f.duration >= b.long_hang_min && f.duration <= b.long_hang_max;
            EXPECT_TRUE(below || above);
            EXPECT_TRUE(f.duration < b.watchdog || f.duration > b.watchdog)
                << "a hang is clearly below or above the watchdog timeout";
            break;
          }
          case FaultKind::kPowerLoss:
          case FaultKind::kManagementCut:
          case FaultKind::kSwitchCut:
          case FaultKind::kStorageCut:
            EXPECT_GE(f.duration, b.outage_min);
            EXPECT_LE(f.duration, b.outage_max);
            break;
          case FaultKind::kAsymmetricDrop:
          case FaultKind::kPacketLoss:
          case FaultKind::kLinkFlap:
            EXPECT_GE(f.duration, b.degraded_min);
            EXPECT_LE(f.duration, b.degraded_max);
            break;
          case FaultKind::kClockJump:
            EXPECT_GE(f.duration, b.clock_hold_min);
            EXPECT_LE(f.duration, b.clock_hold_max);
            EXPECT_GE(std::abs(f.clock_offset.count()), b.clock_offset_min.count());
            EXPECT_LE(std::abs(f.clock_offset.count()), b.clock_offset_max.count());
            break;
          case FaultKind::kNbdRestart:
            EXPECT_GE(f.duration, b.nbd_down_min);
            EXPECT_LE(f.duration, b.nbd_down_max);
            break;
        }
        if (f.kind == FaultKind::kLinkFlap) {
          EXPECT_GE(f.flap_period, b.flap_period_min);
          EXPECT_LE(f.flap_period, b.flap_period_max);
          EXPECT_GT(f.flap_down.count(), 0);
          EXPECT_LT(f.flap_down, f.flap_period);
        } else {
          EXPECT_EQ(f.flap_period.count(), 0);
        }
        EXPECT_EQ(f.loss_percent, f.kind == FaultKind::kPacketLoss ? 30 : 0);
        if (f.kind != FaultKind::kClockJump) {
          EXPECT_EQ(f.clock_offset.count(), 0);
        }
      }
    }
  }
}

TEST(ChaosSchedule, HangsFallOnBothSidesOfTheWatchdog) {
  const ScheduleBounds b = schedule_bounds(10);
  std::size_t below = 0;
  std::size_t above = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    for (const ScheduledFault& f : make_chaos_schedule(options_for(seed))) {
      if (f.kind != FaultKind::kDaemonHang) continue;
      (f.duration < b.watchdog ? below : above) += 1;
    }
  }
  EXPECT_GT(below, 0u);
  EXPECT_GT(above, 0u);
}

TEST(ChaosSchedule, EveryKindAppearsOverManySeeds) {
  std::set<FaultKind> seen;
  std::set<std::size_t> targets;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    for (const ScheduledFault& f : make_chaos_schedule(options_for(seed, 4, 10))) {
      seen.insert(f.kind);
      targets.insert(f.host);
    }
  }
  EXPECT_EQ(seen.size(), kFaultKindCount);
  EXPECT_EQ(targets.size(), 4u) << "every host is a target sometimes";
}

TEST(ChaosSchedule, NoClockJumpsWhenTurnedOff) {
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    ScheduleOptions options = options_for(seed);
    options.clock_jumps = false;
    for (const ScheduledFault& f : make_chaos_schedule(options)) {
      EXPECT_NE(f.kind, FaultKind::kClockJump);
    }
  }
}

TEST(ChaosSchedule, RefusesAPoolWithoutASurvivor) {
  EXPECT_THROW(make_chaos_schedule(options_for(1, 1)), std::invalid_argument);
  ScheduleOptions zero_t = options_for(1);
  zero_t.ha_timeout_seconds = 0;
  EXPECT_THROW(make_chaos_schedule(zero_t), std::invalid_argument);
}

TEST(ChaosSchedule, DescriptionsNameTheFaultAndItsHosts) {
  ScheduledFault f;
  f.kind = FaultKind::kAsymmetricDrop;
  f.host = 1;
  f.peer = 2;
  f.duration = Millis(7300);
  EXPECT_EQ(describe_fault(f), "host-2 drops every packet from host-3 for 7.3 s");
  f.kind = FaultKind::kClockJump;
  f.clock_offset = std::chrono::seconds(-125);
  EXPECT_EQ(describe_fault(f), "wall clock jumps -2 min 5 s for 7.3 s");
  EXPECT_EQ(fault_kind_name(FaultKind::kNbdRestart), "nbd-restart");
}

}  // namespace
}  // namespace poolha::chaos

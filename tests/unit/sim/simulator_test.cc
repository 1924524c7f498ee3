// The simulator driving real engines: a pool forms, the watchdog fences a
// hung host, fences reboot the host with a new incarnation, and the
// invariant checks stay quiet on a healthy run.
#include <gtest/gtest.h>

#include <variant>

#include "sim/scenario_parser.h"
#include "sim/scenario_runner.h"
#include "sim/simulator.h"

namespace poolha::sim {
namespace {

SimConfig config(std::uint16_t hosts) {
  SimConfig c;
  c.hosts = hosts;
  c.timing = std::get<ha::Timing>(ha::make_timing(30s));
  c.timeline.keep = true;
  return c;
}

void form(Simulator& sim) {
  for (HostIndex h = 0; h < sim.host_count(); ++h) sim.power_on(h);
  sim.at(kSimStart + 1s, [&sim] { sim.command(0, ha::Command{ha::Command::Kind::kEnable}); });
  sim.run_until(kSimStart + 30s);
}

TEST(Simulator, APoolFormsAndAgrees) {
  Simulator sim(config(3));
  form(sim);
  for (HostIndex h = 0; h < 3; ++h) {
    ASSERT_TRUE(sim.host(h).engine);
    EXPECT_EQ(sim.host(h).engine->phase(), wire::Phase::kMember);
    EXPECT_EQ(sim.host(h).engine->announced().members, HostSet::first_n(3));
    EXPECT_EQ(sim.host(h).incarnation, 1u);
    EXPECT_TRUE(sim.host(h).watchdog_armed);
  }
  EXPECT_EQ(sim.current_master(), std::optional<HostIndex>(0));
  sim.check_settled();
  EXPECT_TRUE(sim.violations().empty());
  EXPECT_TRUE(sim.fences().empty());
}

TEST(Simulator, AHangLongerThanTheWatchdogFencesThroughTheWatchdog) {
  SimConfig c = config(3);
  c.reboot_after_fence = 10s;
  Simulator sim(std::move(c));
  form(sim);
  sim.hang(2, 60s);
  EXPECT_EQ(sim.host(2).power, Power::kHung);
  sim.run_until(kSimStart + 40s);
  ASSERT_EQ(sim.fences().size(), 1u);
  EXPECT_EQ(sim.fences()[0].host, 2);
  EXPECT_NE(sim.fences()[0].reason.find("watchdog"), std::string::npos);
  EXPECT_EQ(sim.host(2).power, Power::kFenced);
  EXPECT_EQ(sim.host(2).engine, nullptr);
  // It reboots after the fence delay with a new incarnation.
  sim.run_until(sim.fences()[0].at + 11s);
  EXPECT_EQ(sim.host(2).power, Power::kRunning);
  EXPECT_EQ(sim.host(2).incarnation, 2u);
  EXPECT_TRUE(sim.violations().empty());
}

TEST(Simulator, AShortHangChangesNothing) {
  Simulator sim(config(3));
  form(sim);
  sim.hang(1, 2s);
  sim.run_until(kSimStart + 90s);
  EXPECT_EQ(sim.host(1).power, Power::kRunning);
  EXPECT_TRUE(sim.fences().empty());
  sim.check_settled();
  EXPECT_TRUE(sim.violations().empty());
}

TEST(Simulator, PowerCyclesCountIncarnationsAndRestartTheLocalClock) {
  Simulator sim(config(2));
  form(sim);
  const TimePoint before = sim.host(1).clock.local(sim.now());
  sim.power_off(1);
  EXPECT_EQ(sim.host(1).power, Power::kOff);
  sim.power_on(1);
  EXPECT_EQ(sim.host(1).incarnation, 2u);
  EXPECT_LT(sim.host(1).clock.local(sim.now()), before);
  EXPECT_EQ(sim.host(1).engine->incarnation(), 2u);
}

TEST(Simulator, HostClocksAreNotShared) {
  Simulator sim(config(3));
  form(sim);
  EXPECT_NE(sim.host(0).clock.local(sim.now()), sim.host(1).clock.local(sim.now()));
  EXPECT_NE(sim.host(1).clock.local(sim.now()), sim.host(2).clock.local(sim.now()));
}

// Disarming fencing removes the guarantee the invariants rest on: a disarmed
// master that hangs keeps believing it is master while the others replace
// it. The checks must see both the second master and the unsafe removal.
TEST(Simulator, InvariantChecksCatchADisarmedMasterThatHangs) {
  auto parsed = parse_scenario(R"(hosts 3
timeout 30s
duration 120s
at 1s enable h0
at 30s disarm h0
at 60s hang h0 100s
)",
                               "disarmed.scn");
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed));
  const RunReport r = run_scenario(std::get<Scenario>(parsed));
  EXPECT_FALSE(r.passed());
  bool two_masters = false, unsafe_removal = false;
  for (const Violation& v : r.violations) {
    two_masters = two_masters || v.invariant == "(a) one master";
    unsafe_removal =
        unsafe_removal || (v.invariant == "(b) removal" &&
                           v.detail.find("h0 still runs incarnation #1") != std::string::npos);
  }
  EXPECT_TRUE(two_masters);
  EXPECT_TRUE(unsafe_removal);
}

TEST(Simulator, StopOnViolationEndsTheRunAfterTheFirstBadEvent) {
  auto parsed = parse_scenario(
      "hosts 3\ntimeout 30s\nduration 120s\nat 1s enable h0\nat 30s disarm h0\nat 60s hang h0 "
      "100s\n",
      "disarmed.scn");
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed));
  RunOptions o;
  o.stop_on_violation = true;
  const RunReport r = run_scenario(std::get<Scenario>(parsed), o);
  // The event that broke an invariant is finished (it may break several);
  // nothing after it runs.
  ASSERT_FALSE(r.violations.empty());
  for (const Violation& v : r.violations) EXPECT_EQ(v.at, r.violations.front().at);
  EXPECT_EQ(r.simulated, r.violations.front().at - kSimStart);
}

TEST(Simulator, ExpectationFailuresAreReported) {
  auto parsed = parse_scenario(R"(hosts 2
timeout 30s
duration 60s
at 1s enable h0
at 40s expect master h1
at 40s expect fenced h0
expect no-fence
)",
                               "x.scn");
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed));
  const RunReport r = run_scenario(std::get<Scenario>(parsed));
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.expectations, 3u);
  ASSERT_EQ(r.failed_expectations.size(), 2u);
  EXPECT_NE(r.failed_expectations[0].find("line 5: expect master h1"), std::string::npos);
  EXPECT_NE(r.failed_expectations[1].find("h0 was never fenced"), std::string::npos);
}

TEST(Simulator, UnsafeTimingIsRefusedBeforeTheRun) {
  auto parsed = parse_scenario("hosts 2\ntimeout 30s\nset watchdog=60s\n", "x.scn");
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed));
  const RunReport r = run_scenario(std::get<Scenario>(parsed));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_NE(r.error->find("unsafe or invalid timing"), std::string::npos);
}

}  // namespace
}  // namespace poolha::sim

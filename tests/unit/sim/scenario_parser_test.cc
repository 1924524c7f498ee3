// The scenario file format: declarations, timed commands, expectations, VM
// lines, and errors that name the file, the line and what was expected.
#include <gtest/gtest.h>

#include <variant>

#include "sim/scenario_parser.h"
#include "sim/scenario_runner.h"

namespace poolha::sim {
namespace {

Scenario parse_ok(const std::string& text) {
  auto r = parse_scenario(text, "test.scn");
  if (auto* e = std::get_if<ParseError>(&r)) ADD_FAILURE() << e->to_string();
  return std::holds_alternative<Scenario>(r) ? std::get<Scenario>(r) : Scenario{};
}

std::string parse_error(const std::string& text) {
  auto r = parse_scenario(text, "test.scn");
  if (auto* e = std::get_if<ParseError>(&r)) return e->to_string();
  ADD_FAILURE() << "parsed without error:\n" << text;
  return "";
}

TEST(ScenarioParser, ReadsTheHeader) {
  const Scenario s = parse_ok(R"(# a comment
hosts 3
timeout 90s      # T
weights 1 2 3
set watchdog=10s lease=60s
set join_probation=5s
reboot-after-fence never
seed 42
duration 10m
host h2 off clock=100s drift=-200ppm storage-latency=5ms
network delay=1ms jitter=100us loss=1%
storage latency=2ms jitter=0us
)");
  EXPECT_EQ(s.name, "test.scn");
  EXPECT_EQ(s.hosts, 3);
  EXPECT_EQ(s.timeout, 90s);
  ASSERT_EQ(s.host_decls.size(), 3u);
  EXPECT_EQ(s.host_decls[1].weight, 2u);
  EXPECT_EQ(s.host_decls[2].weight, 3u);
  EXPECT_EQ(s.overrides.watchdog, Duration(10s));
  EXPECT_EQ(s.overrides.lease, Duration(60s));
  EXPECT_EQ(s.overrides.join_probation, Duration(5s));
  EXPECT_FALSE(s.overrides.margin.has_value());
  EXPECT_FALSE(s.reboot_after_fence.has_value());
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.duration, Duration(600s));
  EXPECT_TRUE(s.host_decls[0].powered_on);
  EXPECT_FALSE(s.host_decls[2].powered_on);
  EXPECT_EQ(s.host_decls[2].clock, Duration(100s));
  EXPECT_EQ(s.host_decls[2].drift_ppm, -200);
  ASSERT_TRUE(s.host_decls[2].storage.has_value());
  EXPECT_EQ(s.host_decls[2].storage->latency, Duration(5ms));
  EXPECT_EQ(s.network.delay, Duration(1ms));
  EXPECT_EQ(s.network.jitter, Duration(100us));
  EXPECT_EQ(s.network.loss_ppm, 10'000u);
  EXPECT_EQ(s.storage.latency, Duration(2ms));
  EXPECT_FALSE(s.uses_vms());
}

TEST(ScenarioParser, DefaultsAndTheEndOfTheRun) {
  const Scenario s = parse_ok("hosts 2\nat 100s power-off h1\n");
  EXPECT_EQ(s.timeout, 60s);
  EXPECT_EQ(s.reboot_after_fence, Duration(60s));
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.end_time(), kSimStart + 100s + 2 * 60s);
}

TEST(ScenarioParser, ReadsTimedCommandsInTimeOrder) {
  const Scenario s = parse_ok(R"(hosts 3
at 60s hang h1 30s
at 10s enable h0
at 60s nic-down h1
at 61s link-cut h0 h1
at 62s link-down h2 h0
at 63s switch-fail
at 64s loss 30%
at 65s flap h1 period=4s until=300s
at 66s flap h0 h2 period=6s down=1s until=100s
at 67s storage-pause all 60s
at 68s storage-down h1 h2
at 69s torn-write h1
at 70s isolation h1 unreachable
at 71s clock-jump h1 +3600s
at 72s leave master
at 73s handover master h1
at 74s reboot h2 after=5s
at 75s storage-latency h0 2s jitter=1s
at 76s clock-drift h2 -50ppm
at 77s heal
at 78s settle
at 79s emergency-disable all
at 1.5m power-on h2
at 2m link-set h0 h1 loss=5% delay=2ms
)");
  ASSERT_EQ(s.actions.size(), 24u);
  EXPECT_EQ(s.actions[0].action.kind, ActionKind::kEnable);
  EXPECT_EQ(s.actions[0].line, 3);
  // Same time: file order.
  EXPECT_EQ(s.actions[1].action.kind, ActionKind::kHang);
  EXPECT_EQ(s.actions[1].action.duration, 30s);
  EXPECT_EQ(s.actions[2].action.kind, ActionKind::kNicDown);
  const Action& cut = s.actions[3].action;
  EXPECT_EQ(cut.kind, ActionKind::kLinkCut);
  ASSERT_EQ(cut.hosts.size(), 2u);
  EXPECT_EQ(cut.hosts[1].host, 1);
  EXPECT_EQ(s.actions[6].action.ppm, 300'000u);
  const Action& flap = s.actions[7].action;
  EXPECT_EQ(flap.period, 4s);
  EXPECT_EQ(flap.down_for, 2s);
  EXPECT_EQ(*flap.until, kSimStart + 300s);
  EXPECT_EQ(s.actions[8].action.hosts.size(), 2u);
  EXPECT_EQ(s.actions[8].action.down_for, 1s);
  EXPECT_EQ(s.actions[9].action.hosts.size(), 3u);  // all
  EXPECT_EQ(s.actions[9].action.duration, 60s);
  EXPECT_EQ(s.actions[10].action.hosts.size(), 2u);
  EXPECT_EQ(s.actions[12].action.isolation, IsolationSetting::kUnreachable);
  EXPECT_EQ(s.actions[13].action.duration, 3600s);
  EXPECT_TRUE(s.actions[14].action.hosts[0].is_master());
  EXPECT_TRUE(s.actions[15].action.hosts[0].is_master());
  EXPECT_EQ(s.actions[16].action.duration, 5s);
  EXPECT_EQ(s.actions[17].action.jitter, 1s);
  EXPECT_EQ(s.actions[18].action.drift_ppm, -50);
  EXPECT_EQ(s.actions[22].at, kSimStart + 90s);
  const Action& set = s.actions[23].action;
  EXPECT_EQ(set.kind, ActionKind::kLinkSet);
  EXPECT_EQ(set.link_loss_ppm, 50'000u);
  EXPECT_EQ(set.link_delay, Duration(2ms));
  EXPECT_FALSE(set.link_jitter.has_value());
}

TEST(ScenarioParser, ReadsExpectations) {
  const Scenario s = parse_ok(R"(hosts 3
expect no-fence
expect not-fenced h0 h1
at 200s expect liveset {0,1}
at 200s expect liveset { h0, h2 }
at 200s expect liveset {}
at 200s expect master h0
at 200s expect master none
at 200s expect fenced h2 reason=watchdog
at 200s expect running h0 h1
at 200s expect down all
at 200s expect phase h2 emergency
at 200s expect phase h1 off
at 200s expect alert HA_STATEFILE_LOST
at 200s expect alert HA_HOST_FAILED by=h0
at 200s expect no-alert HA_NETWORK_LOST
at 200s expect not-all-fenced
at 200s expect rejoined h2
)");
  ASSERT_EQ(s.whole_run.size(), 2u);
  EXPECT_EQ(s.whole_run[0].expect.kind, ExpectKind::kNoFence);
  EXPECT_EQ(s.whole_run[1].expect.hosts.size(), 2u);
  ASSERT_EQ(s.actions.size(), 15u);
  auto e = [&](int i) { return s.actions[static_cast<std::size_t>(i)].action.expect; };
  EXPECT_EQ(e(0).kind, ExpectKind::kLiveset);
  EXPECT_EQ(e(0).hosts_set, (HostSet{0, 1}));
  EXPECT_EQ(e(1).hosts_set, (HostSet{0, 2}));
  EXPECT_TRUE(e(2).hosts_set.empty());
  EXPECT_EQ(e(3).kind, ExpectKind::kMaster);
  EXPECT_EQ(e(4).kind, ExpectKind::kNoMaster);
  EXPECT_EQ(e(5).text, "watchdog");
  EXPECT_EQ(e(7).hosts.size(), 3u);
  EXPECT_EQ(e(8).phase, wire::Phase::kEmergency);
  EXPECT_TRUE(e(9).phase_off);
  EXPECT_EQ(e(10).text, "HA_STATEFILE_LOST");
  EXPECT_EQ(e(11).hosts, std::vector<HostIndex>{0});
  EXPECT_EQ(e(12).kind, ExpectKind::kNoAlert);
  EXPECT_EQ(e(14).kind, ExpectKind::kRejoined);
}

TEST(ScenarioParser, ReadsVmDeclarationsCommandsAndExpectations) {
  const Scenario s = parse_ok(R"(hosts 3
vm web1 host=h2 memory=2048 priority=restart order=1 start-delay=0s
vm db host=h0 priority=best-effort start-delay=30s
vm scratch host=h1 priority=unprotected
at 100s vm-shutdown web1
at 110s vm-halt db
at 120s vm-start web1 on=h1
at 130s vm-crash scratch
at 200s expect vm-running web1 on=h1
at 200s expect vm-halted db
)");
  ASSERT_EQ(s.vms.size(), 3u);
  EXPECT_EQ(s.vms[0].name, "web1");
  EXPECT_EQ(s.vms[0].host, 2);
  EXPECT_EQ(s.vms[0].memory_mib, 2048u);
  EXPECT_EQ(s.vms[0].priority, VmPriority::kRestart);
  EXPECT_EQ(s.vms[0].order, 1u);
  EXPECT_EQ(s.vms[1].priority, VmPriority::kBestEffort);
  EXPECT_EQ(s.vms[1].start_delay, 30s);
  EXPECT_EQ(s.vms[2].priority, VmPriority::kUnprotected);
  EXPECT_EQ(s.vms[2].memory_mib, 1024u);  // default
  ASSERT_EQ(s.actions.size(), 6u);
  EXPECT_EQ(s.actions[0].action.kind, ActionKind::kVmShutdown);
  EXPECT_EQ(s.actions[0].action.vm, "web1");
  EXPECT_EQ(s.actions[1].action.kind, ActionKind::kVmHalt);
  EXPECT_EQ(s.actions[2].action.kind, ActionKind::kVmStart);
  EXPECT_EQ(s.actions[2].action.hosts[0].host, 1);
  EXPECT_EQ(s.actions[3].action.kind, ActionKind::kVmCrash);
  EXPECT_EQ(s.actions[4].action.expect.kind, ExpectKind::kVmRunning);
  EXPECT_EQ(s.actions[5].action.expect.kind, ExpectKind::kVmHalted);
  EXPECT_TRUE(s.uses_vms());
}

TEST(ScenarioParser, ReadsPoolSettingsHostMemoryAndPoolCommands) {
  const Scenario s = parse_ok(
      "hosts 2\n"
      "pool restart-on-internal-shutdown=off failures-to-tolerate=1 allow-overcommit=on "
      "vm-boot=20s\n"
      "host h1 memory=4096\n"
      "vm a host=h0\n"
      "at 5s vm-fail-starts h1 3\n"
      "at 6s vm-set-priority a best-effort\n"
      "at 7s pool-set failures-to-tolerate=2\n"
      "at 8s expect api-refused HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN\n"
      "at 9s expect plan-exists-for 1\n");
  EXPECT_TRUE(s.pool.declared);
  EXPECT_FALSE(s.pool.restart_on_internal_shutdown);
  EXPECT_EQ(s.pool.failures_to_tolerate, 1u);
  EXPECT_TRUE(s.pool.allow_overcommit);
  EXPECT_EQ(s.pool.vm_boot, 20s);
  EXPECT_FALSE(s.host_decls[0].memory_mib.has_value());
  EXPECT_EQ(s.host_decls[1].memory_mib, 4096u);
  ASSERT_EQ(s.actions.size(), 5u);
  EXPECT_EQ(s.actions[0].action.kind, ActionKind::kVmFailStarts);
  EXPECT_EQ(s.actions[0].action.number, 3u);
  EXPECT_EQ(s.actions[1].action.priority, VmPriority::kBestEffort);
  EXPECT_EQ(s.actions[2].action.kind, ActionKind::kPoolSetTarget);
  EXPECT_EQ(s.actions[2].action.number, 2u);
  EXPECT_EQ(s.actions[3].action.expect.kind, ExpectKind::kApiRefused);
  EXPECT_EQ(s.actions[4].action.expect.number, 1u);
}

TEST(ScenarioParser, AVmScenarioRunsTheVmLayer) {
  const RunReport r =
      run_scenario(parse_ok("hosts 2\nvm a host=h1\nat 1s expect vm-running a on=h1\n"));
  EXPECT_FALSE(r.error.has_value());
  EXPECT_TRUE(r.passed());
}

TEST(ScenarioParser, VmErrorsNameTheLine) {
  EXPECT_EQ(parse_error("hosts 2\nvm a\n"), "test.scn:2: VM 'a' needs host=hN");
  EXPECT_EQ(parse_error("hosts 2\nvm a host=h0\nvm a host=h1\n"),
            "test.scn:3: VM 'a' declared twice (first on line 2)");
  EXPECT_EQ(parse_error("hosts 2\nat 1s vm-halt nope\n"),
            "test.scn:2: unknown VM 'nope' (declare it with a 'vm' line)");
  EXPECT_EQ(parse_error("hosts 2\nvm a host=h0 priority=high\n"),
            "test.scn:2: expected priority restart, best-effort or unprotected, got 'high'");
  EXPECT_EQ(parse_error("hosts 2\nvm a host=h0 colour=red\n"),
            "test.scn:2: unexpected 'colour=red' (expected one of host=, memory=, priority=, "
            "order=, start-delay=)");
}

TEST(ScenarioParser, ErrorsNameTheFileTheLineAndWhatWasExpected) {
  EXPECT_EQ(parse_error("timeout 30s\n"), "test.scn: missing 'hosts N' line");
  EXPECT_EQ(parse_error("hosts 0\n"), "test.scn:1: expected a host count 1..256, got '0'");
  EXPECT_EQ(parse_error("hosts 2\nhosts 3\n"), "test.scn:2: 'hosts' given twice (first on line 1)");
  EXPECT_EQ(parse_error("hosts 2\ntimeout thirty\n"),
            "test.scn:2: expected a timeout such as 30s, 1.5s or 500ms, got 'thirty'");
  EXPECT_EQ(parse_error("hosts 2\n\nat 10s power-off h2\n"),
            "test.scn:3: expected a host h0..h1, got 'h2'");
  EXPECT_EQ(parse_error("hosts 2\nat 10s explode h1\n"),
            "test.scn:2: unknown command 'explode' (see scenarios/README.md for the list: enable, "
            "power-off, hang, nic-down, link-cut, storage-pause, expect, ...)");
  EXPECT_EQ(parse_error("hosts 2\nat soon enable h0\n"),
            "test.scn:2: expected a time such as 30s, 1.5s or 500ms, got 'soon'");
  EXPECT_EQ(parse_error("hosts 2\nat 10s hang h1\n"),
            "test.scn:2: expected how long the host hangs after 'h1'");
  EXPECT_EQ(parse_error("hosts 2\nat 10s power-off\n"),
            "test.scn:2: expected host names (h0 h1 ...) or 'all' after 'power-off'");
  EXPECT_EQ(parse_error("hosts 2\nat 10s enable h0 now\n"),
            "test.scn:2: unexpected 'now' at the end of 'at'");
  EXPECT_EQ(parse_error("hosts 2\nat 10s link-cut h1 h1\n"),
            "test.scn:2: 'link-cut' needs two different hosts");
  EXPECT_EQ(parse_error("hosts 2\nat 10s loss 130%\n"),
            "test.scn:2: expected a percentage 0%..100% such as 30%, got '130%'");
  EXPECT_EQ(parse_error("hosts 2\nat 10s flap h1 period=4s\n"),
            "test.scn:2: 'flap' needs period=DURATION and until=TIME");
  EXPECT_EQ(parse_error("hosts 2\nat 10s flap h1 period=4s until=5s\n"),
            "test.scn:2: 'flap' until= must be after its start");
  EXPECT_EQ(
      parse_error("hosts 2\nset watchdog 10s\n").rfind("test.scn:2: expected NAME=DURATION", 0),
      0u);
  EXPECT_EQ(parse_error("hosts 2\nat 1s link-set h0 h1\n"),
            "test.scn:2: 'link-set' needs delay=, jitter= or loss=");
  EXPECT_EQ(parse_error("hosts 2\nweights 1\n"),
            "test.scn:2: expected 2 weights (one per host), got 1");
  EXPECT_EQ(parse_error("hosts 2\nduration 100s\nat 200s enable h0\n"),
            "test.scn:3: 'at 200s' is after the end of the run (duration 100s)");
  EXPECT_EQ(parse_error("hosts 2\nat 1s expect liveset 0,1\n"),
            "test.scn:2: expected a liveset such as {0,1} or {h0,h1}, got '0,1'");
  EXPECT_EQ(parse_error("hosts 2\nat 1s expect phase h0 sleeping\n"),
            "test.scn:2: expected a phase (booting, emergency, joining, member, left, fenced, "
            "disabled, off), got 'sleeping'");
  EXPECT_EQ(parse_error("hosts 2\nat 1s expect happiness\n")
                .rfind("test.scn:2: unknown expectation 'happiness'", 0),
            0u);
  EXPECT_EQ(parse_error("hosts 2\nfrobnicate\n").rfind("test.scn:2: unknown line 'frobnicate'", 0),
            0u);
  EXPECT_EQ(parse_error("hosts 2\nhost h0 drift=fast\n"),
            "test.scn:2: expected a clock drift such as +200ppm, got 'fast'");
}

TEST(ScenarioParser, LoadsFilesAndReportsMissingOnes) {
  auto r = load_scenario_file("no/such/file.scn");
  ASSERT_TRUE(std::holds_alternative<ParseError>(r));
  EXPECT_EQ(std::get<ParseError>(r).to_string(), "no/such/file.scn: cannot open the file");
}

}  // namespace
}  // namespace poolha::sim

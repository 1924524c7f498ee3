// What the master believes follows the hosts' reports where a command's
// answer cannot tell: starts a dead master sent, commands of an earlier
// liveset, commands that never answered, and VMs found where the database
// does not expect them.
#include <gtest/gtest.h>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

// The database a dead master left: web's start was sent to h1, no answer.
PoolSnapshot start_sent_to_h1_by_a_dead_master() {
  VmRecord web = vm_on("web", kNoHost, 4);
  web.always_run = true;
  web.scheduled_on = 1;
  return pool_of(3, 16, {web});
}

TEST(FailoverCoordinatorReconcile, ANewMasterWaitsForTheHostAStartWentTo) {
  Master m(start_sent_to_h1_by_a_dead_master(), seconds(10), 2);
  m.announce(seconds(10), liveset(5, {0, 1, 2}, 2));
  m.report(seconds(10), 0, {});
  EXPECT_TRUE(m.report(seconds(10), 2, {}).commands.empty());
  EXPECT_TRUE(m.tick(seconds(100)).commands.empty());  // however long it takes
  EXPECT_EQ(m.vm("web").scheduled_on, 1);
}

TEST(FailoverCoordinatorReconcile, ANewMasterRecordsAStartTheHostReportsRunning) {
  Master m(start_sent_to_h1_by_a_dead_master(), seconds(10), 2);
  m.announce(seconds(10), liveset(5, {0, 1, 2}, 2));
  m.report(seconds(10), 0, {});
  m.report(seconds(10), 2, {});
  const CoordinatorReady ready = m.report(seconds(11), 1, {"web"});
  const VmRecord* record = record_of(ready, "web");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->power, VmPower::kRunning);
  EXPECT_EQ(record->resident_on, 1);
  EXPECT_EQ(record->scheduled_on, kNoHost);
  EXPECT_TRUE(ready.commands.empty());
}

TEST(FailoverCoordinatorReconcile, ANewMasterRestartsAVmTheHostDoesNotHave) {
  // h1 reports on the new liveset, so it refuses the old master's start if it
  // arrives later: the VM can be started anywhere now.
  Master m(start_sent_to_h1_by_a_dead_master(), seconds(10), 2);
  m.announce(seconds(10), liveset(5, {0, 1, 2}, 2));
  m.report(seconds(10), 0, {});
  m.report(seconds(10), 2, {});
  const CoordinatorReady ready = m.report(seconds(11), 1, {});
  ASSERT_EQ(ready.commands.size(), 1u);
  EXPECT_EQ(ready.commands[0].second.vm.uuid, "web");
  EXPECT_EQ(ready.commands[0].second.epoch, 5u);
  EXPECT_EQ(ready.commands[0].second.master, 2);
}

TEST(FailoverCoordinatorReconcile, AStartOfAnEarlierLivesetIsSettledByTheNextOnesReport) {
  for (bool ran : {true, false}) {
    Master m(pool_of(3, 16, {vm_on("web", 2, 4)}));
    settle_epoch_1(m);
    m.announce(seconds(1100), liveset(2, {0, 1}, 0));
    const CoordinatorReady sent = m.report_all(seconds(1100));
    ASSERT_EQ(sent.commands.size(), 1u);
    const HostIndex to = sent.commands[0].first;
    // No answer; the liveset moves on (the same hosts, a new epoch).
    m.announce(seconds(1101), liveset(3, {0, 1}, 0));
    EXPECT_TRUE(m.tick(seconds(1130)).commands.empty()) << ran;  // not resent: it is refused now
    m.report(seconds(1131), to == 0 ? 1 : 0, {});
    const CoordinatorReady ready = m.report(
        seconds(1131), to, ran ? std::vector<std::string>{"web"} : std::vector<std::string>{});
    if (ran) {
      EXPECT_EQ(m.vm("web").power, VmPower::kRunning);
      EXPECT_EQ(m.vm("web").resident_on, to);
      EXPECT_TRUE(ready.commands.empty());
    } else {
      ASSERT_EQ(ready.commands.size(), 1u);
      EXPECT_EQ(ready.commands[0].second.epoch, 3u);
      EXPECT_NE(ready.commands[0].second.id, sent.commands[0].second.id);
    }
  }
}

class FailoverCoordinatorTimeout : public ::testing::Test {
 protected:
  FailoverCoordinatorTimeout() : m(pool()) {
    settle_epoch_1(m);
    m.announce(seconds(1100), liveset(2, {0, 1}, 0));
    const CoordinatorReady sent = m.report_all(seconds(1100));
    EXPECT_EQ(sent.commands.size(), 1u);
    to = sent.commands.at(0).first;
    command = sent.commands.at(0).second;
  }
  static PoolSnapshot pool() {
    FailoverPolicy policy;
    policy.command_timeout = 60s;
    policy.command_resend = 10s;
    return pool_of(3, 16, {vm_on("web", 2, 4)}, policy);
  }

  Master m;
  HostIndex to = kNoHost;
  VmCommand command;
};

TEST_F(FailoverCoordinatorTimeout, BeforeTheTimeoutOnlyTheAnswerSettlesAStart) {
  const CoordinatorReady ready = m.report(seconds(1105), to, {"web"});
  EXPECT_EQ(record_of(ready, "web"), nullptr);
  EXPECT_EQ(m.vm("web").power, VmPower::kHalted);
  EXPECT_EQ(m.vm("web").scheduled_on, to);
}

TEST_F(FailoverCoordinatorTimeout, AfterTheTimeoutAReportShowingTheVmSettlesIt) {
  m.tick(seconds(1160));
  const CoordinatorReady ready = m.report(seconds(1161), to, {"web"});
  const VmRecord* record = record_of(ready, "web");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->power, VmPower::kRunning);
  EXPECT_EQ(record->resident_on, to);
  // A late answer changes nothing more.
  EXPECT_TRUE(m.answer(seconds(1162), to, command, false, "VM_START_FAILED").records.empty());
}

TEST_F(FailoverCoordinatorTimeout, AReportWithoutTheVmProvesNothingOnTheSameLiveset) {
  // The start may still arrive: never start the VM elsewhere meanwhile.
  m.tick(seconds(1160));
  for (int s = 1161; s < 1400; s += 7) {
    const CoordinatorReady ready = m.report(seconds(s), to, {});
    for (const auto& [host, c] : ready.commands) {
      EXPECT_EQ(host, to);
      EXPECT_EQ(c.id, command.id);  // only the same command, again
    }
    m.tick(seconds(s + 3));
  }
  EXPECT_EQ(m.vm("web").scheduled_on, to);
  m.answer(seconds(1400), to, command, true);
  EXPECT_EQ(m.vm("web").power, VmPower::kRunning);
}

TEST(FailoverCoordinatorReconcile, AReportOlderThanAnAppliedAnswerIsIgnored) {
  Master m(pool_of(3, 16, {vm_on("web", 2, 4)}));
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  const CoordinatorReady sent = m.report_all(seconds(1100));
  ASSERT_EQ(sent.commands.size(), 1u);
  const auto [to, command] = sent.commands[0];
  // The host made report n+1 (still on its way), then answered.
  const std::uint64_t overtaken = m.last_sequence(to) + 1;
  VmCommandResult answer;
  answer.epoch = 2;
  answer.host = to;
  answer.id = command.id;
  answer.vm = "web";
  answer.ok = true;
  answer.report_sequence = overtaken;
  m.coordinator().receive(seconds(1110), answer);
  m.coordinator().take_ready();
  ASSERT_EQ(m.vm("web").power, VmPower::kRunning);

  HostReport late;
  late.epoch = 2;
  late.host = to;
  late.incarnation = 1;
  late.sequence = overtaken;
  m.coordinator().receive(seconds(1111), late);
  const CoordinatorReady ignored = m.coordinator().take_ready();
  EXPECT_TRUE(ignored.records.empty());
  EXPECT_TRUE(ignored.commands.empty());
  EXPECT_EQ(m.vm("web").power, VmPower::kRunning);

  late.sequence = overtaken + 1;  // a newer report without it: it did halt
  m.coordinator().receive(seconds(1112), late);
  m.coordinator().take_ready();
  EXPECT_NE(m.vm("web").resident_on, to);
}

TEST(FailoverCoordinatorReconcile, AVmReportedOnASecondHostIsAlertedOnceAndNotMoved) {
  Master m(pool_of(3, 16, {vm_on("web", 1, 4)}));
  settle_epoch_1(m);
  const CoordinatorReady ready = m.report(seconds(1010), 2, {"web"});
  ASSERT_EQ(alerts_named(ready, "HA_VM_RUNNING_TWICE"), 1u);
  EXPECT_EQ(ready.alerts[0].vm, "web");
  EXPECT_EQ(record_of(ready, "web"), nullptr);
  EXPECT_TRUE(ready.commands.empty());
  EXPECT_EQ(m.vm("web").resident_on, 1);
  EXPECT_EQ(alerts_named(m.report(seconds(1012), 2, {"web"}), "HA_VM_RUNNING_TWICE"), 0u);
  EXPECT_EQ(m.vm("web").resident_on, 1);
}

TEST(FailoverCoordinatorReconcile, AVmFoundRunningWhereTheDatabaseHadItHaltedIsRecorded) {
  Master m(pool_of(3, 16, {vm_on("x", kNoHost, 2, RestartPriority::kUnprotected)}));
  settle_epoch_1(m);
  const CoordinatorReady ready = m.report(seconds(1010), 2, {"x"});
  const VmRecord* record = record_of(ready, "x");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->power, VmPower::kRunning);
  EXPECT_EQ(record->resident_on, 2);
}

TEST(FailoverCoordinatorReconcile, ReportsOfAnotherEpochOrAnOldIncarnationAreIgnored) {
  Master m(pool_of(3, 16, {vm_on("web", 1, 4)}));
  settle_epoch_1(m);
  HostReport report = m.make_report(1, {});
  report.epoch = 0;
  m.coordinator().receive(seconds(1010), report);
  report = m.make_report(1, {}, {}, 9);
  m.coordinator().receive(seconds(1010), report);
  const CoordinatorReady ready = m.coordinator().take_ready();
  EXPECT_TRUE(ready.records.empty());
  EXPECT_TRUE(ready.acks.empty());
  EXPECT_EQ(m.vm("web").power, VmPower::kRunning);
}

}  // namespace
}  // namespace poolha::failover

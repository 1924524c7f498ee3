// The master learns of dead hosts only from the liveset it announces: a
// removal is announced after the host's fence deadline, so its VMs have
// stopped and may be marked halted and restarted.
#include <gtest/gtest.h>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

PoolSnapshot three_hosts_web_db_on_h2() {
  return pool_of(3, 16,
                 {vm_on("web", 2, 4), vm_on("db", 2, 4), vm_on("other", 1, 2),
                  vm_on("best", 2, 1, RestartPriority::kBestEffort)});
}

TEST(FailoverCoordinatorBurial, BuriesTheVmsOfAHostThatLeftAndReportsItFenced) {
  Master m(three_hosts_web_db_on_h2());
  settle_epoch_1(m);
  const CoordinatorReady ready = m.announce(seconds(1100), liveset(2, {0, 1}, 0));

  ASSERT_EQ(ready.fenced.size(), 1u);
  EXPECT_EQ(ready.fenced[0].host, 2);
  EXPECT_EQ(ready.fenced[0].incarnation, 1u);
  EXPECT_EQ(ready.fenced[0].epoch, 2u);
  for (const char* name : {"web", "db", "best"}) {
    const VmRecord* r = record_of(ready, name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->power, VmPower::kHalted) << name;
    EXPECT_EQ(r->resident_on, kNoHost) << name;
    EXPECT_EQ(m.vm(name).power, VmPower::kHalted) << name;
  }
  EXPECT_EQ(record_of(ready, "other"), nullptr);  // on a survivor: untouched
  EXPECT_TRUE(m.vm("web").always_run);            // still to run: it is restarted
  EXPECT_TRUE(ready.commands.empty());            // nobody reported on epoch 2 yet
}

TEST(FailoverCoordinatorBurial, KeepsTheVmsOfHostsThatStay) {
  Master m(three_hosts_web_db_on_h2());
  settle_epoch_1(m);
  const CoordinatorReady ready = m.announce(seconds(1100), liveset(2, {0, 1, 2}, 0));
  EXPECT_TRUE(ready.fenced.empty());
  EXPECT_EQ(record_of(ready, "web"), nullptr);
  EXPECT_EQ(m.vm("web").power, VmPower::kRunning);
  EXPECT_EQ(m.vm("web").resident_on, 2);
}

TEST(FailoverCoordinatorBurial, WaitsForEveryLiveHostToReportBeforePlacing) {
  Master m(three_hosts_web_db_on_h2());
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  EXPECT_TRUE(m.report(seconds(1100), 0, {}).commands.empty());
  EXPECT_TRUE(m.tick(seconds(1101)).commands.empty());
  const CoordinatorReady ready = m.report(seconds(1101), 1, {"other"});
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"db", "web"}));
  for (const auto& [host, command] : ready.commands) {
    EXPECT_EQ(command.kind, VmCommand::Kind::kStart);
    EXPECT_EQ(command.epoch, 2u);
    EXPECT_EQ(command.master, 0);
  }
}

TEST(FailoverCoordinatorBurial, PlacesOnlyOnReportedHostsOnceTheWaitIsOver) {
  FailoverPolicy policy;
  policy.report_wait = 10s;
  PoolSnapshot pool = three_hosts_web_db_on_h2();
  pool.policy = policy;
  Master m(pool);
  settle_epoch_1(m);
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  EXPECT_TRUE(m.report(seconds(1100), 1, {"other"}).commands.empty());
  EXPECT_LE(m.coordinator().next_wakeup(), seconds(1110));
  EXPECT_TRUE(m.tick(seconds(1109)).commands.empty());
  const CoordinatorReady ready = m.tick(seconds(1110));
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"db", "web"}));
  EXPECT_EQ(commands_to(ready, 1).size(), 2u);  // h0 never reported: it gets none
}

TEST(FailoverCoordinatorBurial, AFirstLivesetWithoutAHostTheDatabaseNamesBuriesIt) {
  // The pool database of a master that died: web ran on h2, and a start of
  // db had been sent to h2.
  PoolSnapshot pool = pool_of(3, 16, {vm_on("web", 2, 4), vm_on("db", kNoHost, 4)});
  pool.vms.at("db").always_run = true;
  pool.vms.at("db").scheduled_on = 2;
  Master m(pool, seconds(50), 1);
  const CoordinatorReady ready = m.announce(seconds(50), liveset(7, {0, 1}, 1));
  ASSERT_EQ(ready.fenced.size(), 1u);
  EXPECT_EQ(ready.fenced[0].host, 2);
  EXPECT_EQ(ready.fenced[0].incarnation, 0u);  // not known from the database
  EXPECT_EQ(m.vm("web").power, VmPower::kHalted);
  EXPECT_EQ(m.vm("db").scheduled_on, kNoHost);
  m.report(seconds(50), 0, {});
  const CoordinatorReady restarts = m.report(seconds(50), 1, {});
  EXPECT_EQ(vms_commanded(restarts), (std::vector<std::string>{"db", "web"}));
}

TEST(FailoverCoordinatorBurial, AHostBackAsANewIncarnationHasLostItsVms) {
  Master m(three_hosts_web_db_on_h2());
  settle_epoch_1(m);
  // h2 rebooted and rejoined between two livesets this master acted on: its
  // old incarnation fenced, so its VMs stopped, best-effort ones included.
  const CoordinatorReady ready = m.announce(seconds(1100), liveset(2, {0, 1, 2}, 0, {{2, 2}}));
  ASSERT_EQ(ready.fenced.size(), 1u);
  EXPECT_EQ(ready.fenced[0].host, 2);
  EXPECT_EQ(ready.fenced[0].incarnation, 1u);
  for (const char* name : {"web", "db", "best"}) {
    EXPECT_EQ(m.vm(name).power, VmPower::kHalted) << name;
  }
  m.report(seconds(1100), 0, {});
  m.report(seconds(1100), 1, {"other"});
  // A report of the old incarnation is no evidence of anything.
  EXPECT_TRUE(m.report(seconds(1100), 2, {"web", "db", "best"}, {}, 1).commands.empty());
  const CoordinatorReady restarts = m.report(seconds(1101), 2, {}, {}, 2);
  EXPECT_EQ(vms_commanded(restarts), (std::vector<std::string>{"db", "web"}));
  // The best-effort VM follows once the protected ones run.
  CoordinatorReady last;
  for (const auto& [host, command] : restarts.commands) {
    EXPECT_TRUE(commands_for(last, "best").empty());
    last = m.answer(seconds(1110), host, command, true);
  }
  EXPECT_EQ(m.vm("web").power, VmPower::kRunning);
  EXPECT_EQ(m.vm("db").power, VmPower::kRunning);
  EXPECT_EQ(vms_commanded(last), (std::vector<std::string>{"best"}));
}

TEST(FailoverCoordinatorBurial, AStartToAHostThatLeftIsForgottenAndPlacedAgain) {
  // h0 (the master) has no room, so web's restart goes to h1, which dies too.
  PoolSnapshot pool = pool_of(4, 16, {vm_on("web", 3, 4)});
  pool.hosts[0].memory_for_vms = 2 * kGiB;
  Master m(pool);
  m.announce(seconds(10), liveset(1, {0, 1, 2, 3}, 0));
  m.report_all(seconds(10));
  m.announce(seconds(100), liveset(2, {0, 1, 2}, 0));
  const CoordinatorReady first = m.report_all(seconds(100));
  ASSERT_EQ(commands_to(first, 1).size(), 1u);
  const VmCommand to_h1 = commands_to(first, 1)[0];

  const CoordinatorReady gone = m.announce(seconds(200), liveset(3, {0, 2}, 0));
  const VmRecord* r = record_of(gone, "web");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->scheduled_on, kNoHost);
  // h1's answer, sent before it died, arrives late: it changes nothing.
  EXPECT_TRUE(m.answer(seconds(200), 1, to_h1, true).records.empty());
  EXPECT_EQ(m.vm("web").power, VmPower::kHalted);

  const CoordinatorReady again = m.report_all(seconds(200));
  ASSERT_EQ(commands_to(again, 2).size(), 1u);
  EXPECT_NE(commands_to(again, 2)[0].id, to_h1.id);
  EXPECT_EQ(commands_to(again, 2)[0].epoch, 3u);
}

}  // namespace
}  // namespace poolha::failover

// A survivor can adopt the liveset without the dead host a moment before the
// master does, and reports on it at once; that report must count when the
// master adopts the same liveset, or every restart waits for the host's next
// periodic report.
#include <gtest/gtest.h>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

PoolSnapshot web_and_db_on_h2() {
  return pool_of(3, 16, {vm_on("web", 2, 4), vm_on("db", 2, 4), vm_on("other", 1, 2)});
}

TEST(FailoverCoordinatorEarlyReport, AReportOnTheNextLivesetCountsOnceTheMasterAdoptsIt) {
  Master m(web_and_db_on_h2());
  settle_epoch_1(m);
  // h1 acts on epoch 2 already; the master still on epoch 1.
  m.coordinator().receive(seconds(1100), host_report(2, 1, 1, 10, {"other"}));
  EXPECT_TRUE(m.coordinator().take_ready().commands.empty());
  EXPECT_EQ(m.vm("web").resident_on, 2) << "nothing changes before the master adopts epoch 2";

  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  // The master's own report is the only one missing; with it the restarts go.
  const CoordinatorReady ready = m.report(seconds(1100), 0, {});
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"db", "web"}));
}

TEST(FailoverCoordinatorEarlyReport, AnEarlyReportOfALivesetTheMasterSkipsNeverCounts) {
  Master m(web_and_db_on_h2());
  settle_epoch_1(m);
  m.coordinator().receive(seconds(1100), host_report(2, 1, 1, 10, {"other"}));
  m.coordinator().take_ready();
  // The master goes straight to epoch 3: h1's epoch-2 report says nothing
  // about it, so the master still waits for h1.
  m.announce(seconds(1100), liveset(3, {0, 1}, 0));
  EXPECT_TRUE(m.report(seconds(1100), 0, {}).commands.empty());
  const CoordinatorReady ready = m.report(seconds(1101), 1, {"other"});
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"db", "web"}));
}

TEST(FailoverCoordinatorEarlyReport, AnEarlyReportShowingAVmRunningKeepsItFromStartingTwice) {
  Master m(web_and_db_on_h2());
  settle_epoch_1(m);
  // h1 reports web running (a start it accepted) on epoch 2, early.
  m.coordinator().receive(seconds(1100), host_report(2, 1, 1, 10, {"other", "web"}));
  m.coordinator().take_ready();
  m.announce(seconds(1100), liveset(2, {0, 1}, 0));
  const CoordinatorReady ready = m.report(seconds(1100), 0, {});
  EXPECT_EQ(vms_commanded(ready), (std::vector<std::string>{"db"}));
  EXPECT_EQ(m.vm("web").resident_on, 1);
}

}  // namespace
}  // namespace poolha::failover

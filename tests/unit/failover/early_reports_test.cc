#include "failover/early_reports.h"

#include <gtest/gtest.h>

#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using testing::host_report;

TEST(EarlyReportsTest, KeepsTheNewestReportOfEachHost) {
  EarlyReports early;
  early.keep(host_report(5, 1, 1, 7));
  early.keep(host_report(5, 1, 1, 6));  // older: overtaken on the way
  early.keep(host_report(5, 2, 1, 3));
  early.keep(host_report(5, 2, 2, 1));  // a new incarnation counts from 1 again
  const std::vector<HostReport> taken = early.take(5);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].host, 1);
  EXPECT_EQ(taken[0].sequence, 7u);
  EXPECT_EQ(taken[1].host, 2);
  EXPECT_EQ(taken[1].incarnation, 2u);
  EXPECT_TRUE(early.empty());
}

TEST(EarlyReportsTest, TakeHandsOverItsEpochDropsOlderAndKeepsNewer) {
  EarlyReports early;
  early.keep(host_report(4, 0, 1, 1));
  early.keep(host_report(5, 1, 1, 1));
  early.keep(host_report(6, 2, 1, 1));
  const std::vector<HostReport> taken = early.take(5);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].host, 1);
  const std::vector<HostReport> rest = early.take_all();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].epoch, 6u);
  EXPECT_TRUE(early.empty());
}

}  // namespace
}  // namespace poolha::failover

// What `poolha chaos` accepts before it starts anything, and what it
// derives from its options.
#include "chaos/chaos_options.h"

#include <gtest/gtest.h>

namespace poolha::chaos {
namespace {

TEST(ChaosOptions, TheDefaultsAreValid) {
  EXPECT_EQ(validate_chaos_options(ChaosOptions{}), "");
}

TEST(ChaosOptions, EachOutOfRangeValueIsRefusedByName) {
  struct Case {
    void (*change)(ChaosOptions&);
    const char* option;
  };
  const Case cases[] = {
      {[](ChaosOptions& o) { o.hosts = 1; }, "--hosts"},
      {[](ChaosOptions& o) { o.hosts = 17; }, "--hosts"},
      {[](ChaosOptions& o) { o.faults = 0; }, "--faults"},
      {[](ChaosOptions& o) { o.faults = 10001; }, "--faults"},
      {[](ChaosOptions& o) { o.ha_timeout_seconds = 4; }, "--timeout"},
      {[](ChaosOptions& o) { o.ha_timeout_seconds = 601; }, "--timeout"},
      {[](ChaosOptions& o) { o.vms_per_host = 0; }, "--vms-per-host"},
      {[](ChaosOptions& o) { o.vms_per_host = 9; }, "--vms-per-host"},
      {[](ChaosOptions& o) { o.settle_timeout_seconds = -1; }, "--settle-timeout"},
      {[](ChaosOptions& o) { o.settle_timeout_seconds = 10; }, "--settle-timeout"},
  };
  for (const Case& c : cases) {
    ChaosOptions options;
    c.change(options);
    const std::string why = validate_chaos_options(options);
    EXPECT_NE(why.find(c.option), std::string::npos) << c.option << ": " << why;
  }
}

TEST(ChaosOptions, TheEdgesOfEachRangeAreAccepted) {
  ChaosOptions options;
  options.hosts = 2;
  options.faults = 1;
  options.ha_timeout_seconds = 5;
  options.vms_per_host = 8;
  options.settle_timeout_seconds = 10;
  EXPECT_EQ(validate_chaos_options(options), "");
  options.hosts = 16;
  options.faults = 10000;
  options.ha_timeout_seconds = 600;
  options.settle_timeout_seconds = 0;
  EXPECT_EQ(validate_chaos_options(options), "");
}

TEST(ChaosOptions, TheScheduleFollowsTheOptions) {
  ChaosOptions options;
  options.seed = 42;
  options.hosts = 4;
  options.faults = 9;
  options.ha_timeout_seconds = 7;
  options.clock_jumps = false;
  const ScheduleOptions schedule = schedule_options(options);
  EXPECT_EQ(schedule.seed, 42u);
  EXPECT_EQ(schedule.hosts, 4u);
  EXPECT_EQ(schedule.faults, 9u);
  EXPECT_EQ(schedule.ha_timeout_seconds, 7);
  EXPECT_FALSE(schedule.clock_jumps);
}

TEST(ChaosOptions, LongerRunsGetLargerDisksWithinBounds) {
  EXPECT_EQ(vm_disk_mib_for(1, 5), 16u);
  EXPECT_LE(vm_disk_mib_for(20, 10), vm_disk_mib_for(200, 10));
  // 200 faults of 3 T each at 10 records of 512 bytes a second.
  EXPECT_GE(vm_disk_mib_for(200, 10) * 1024 * 1024, 200ull * 3 * 10 * 10 * 512);
  EXPECT_EQ(vm_disk_mib_for(10000, 600), 4096u);
  EXPECT_GT(default_settle_timeout_seconds(10), 2 * 10);
}

}  // namespace
}  // namespace poolha::chaos

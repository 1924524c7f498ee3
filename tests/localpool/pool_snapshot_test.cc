// Timeline lines from two snapshots of a pool's records.
#include <gtest/gtest.h>

#include "localpool/pool_snapshot.h"

namespace poolha::localpool {
namespace {

using nlohmann::json;

std::vector<xe::ObjectRecord> hosts(bool second_live) {
  return {{"OpaqueRef:h1", json{{"uuid", "h1"}, {"name_label", "host-1"}, {"live", true}}},
          {"OpaqueRef:h2", json{{"uuid", "h2"}, {"name_label", "host-2"}, {"live", second_live}}},
          {"OpaqueRef:h3", json{{"uuid", "h3"}, {"name_label", "host-3"}, {"live", true}}}};
}

xe::ObjectRecord vm(const std::string& power, const std::string& resident,
                    const std::string& scheduled = "OpaqueRef:NULL") {
  return {"OpaqueRef:v1", json{{"uuid", "v1"},
                               {"name_label", "vm-1"},
                               {"power_state", power},
                               {"resident_on", resident},
                               {"scheduled_to_be_resident_on", scheduled},
                               {"ha_restart_priority", "restart"}}};
}

std::vector<xe::ObjectRecord> pool(const std::string& master) {
  return {{"OpaqueRef:p", json{{"uuid", "p"}, {"master", master}}}};
}

TEST(PoolSnapshot, ResolvesHostReferencesToNames) {
  const PoolSnapshot snapshot =
      snapshot_from_records(pool("OpaqueRef:h1"), hosts(true), {vm("Running", "OpaqueRef:h2")});
  EXPECT_EQ(snapshot.master, "host-1");
  EXPECT_TRUE(snapshot.hosts.at("h2").live);
  EXPECT_EQ(snapshot.vms.at("v1").resident_on, "host-2");
  EXPECT_EQ(snapshot.vms.at("v1").scheduled_on, "");
}

TEST(PoolSnapshot, DescribesAFailoverStepByStep) {
  const PoolSnapshot running =
      snapshot_from_records(pool("OpaqueRef:h1"), hosts(true), {vm("Running", "OpaqueRef:h2")});
  const PoolSnapshot dead =
      snapshot_from_records(pool("OpaqueRef:h1"), hosts(false), {vm("Running", "OpaqueRef:h2")});
  EXPECT_EQ(describe_changes(running, dead), std::vector<std::string>{"host-2 marked dead"});

  const PoolSnapshot halted = snapshot_from_records(
      pool("OpaqueRef:h1"), hosts(false), {vm("Halted", "OpaqueRef:NULL", "OpaqueRef:h3")});
  EXPECT_EQ(describe_changes(dead, halted),
            (std::vector<std::string>{"vm-1 restarting on host-3", "vm-1 Halted (was on host-2)"}));

  const PoolSnapshot restarted =
      snapshot_from_records(pool("OpaqueRef:h3"), hosts(false), {vm("Running", "OpaqueRef:h3")});
  EXPECT_EQ(describe_changes(halted, restarted),
            (std::vector<std::string>{"host-3 is the master", "vm-1 running on host-3"}));
  EXPECT_TRUE(describe_changes(restarted, restarted).empty());

  EXPECT_FALSE(protected_vms_run_on(running, {"host-1", "host-3"}));
  EXPECT_FALSE(protected_vms_run_on(halted, {"host-1", "host-3"}));
  EXPECT_TRUE(protected_vms_run_on(restarted, {"host-1", "host-3"}));
}

TEST(PoolSnapshot, NoProtectedVmIsNotAFinishedFailover) {
  const PoolSnapshot empty = snapshot_from_records(pool("OpaqueRef:h1"), hosts(true), {});
  EXPECT_FALSE(protected_vms_run_on(empty, {"host-1"}));
}

}  // namespace
}  // namespace poolha::localpool

// The simulated pool's records in the pool database: host uuids by index,
// VM, host, policy and status fields in both directions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/units.h"
#include "pool/field_rules.h"
#include "sim/pool_records.h"

namespace poolha::sim {
namespace {

using failover::RestartPriority;
using failover::VmPower;
using failover::VmRecord;

VmRecord make_record(std::string uuid, VmPower power, HostIndex resident_on,
                     HostIndex scheduled_on) {
  VmRecord r;
  r.name = "vm " + uuid;
  r.uuid = std::move(uuid);
  r.memory = 2 * kGiB;
  r.priority = RestartPriority::kRestart;
  r.always_run = true;
  r.power = power;
  r.resident_on = resident_on;
  r.scheduled_on = scheduled_on;
  return r;
}

TEST(SimMetadataRecords, HostUuidsAreValidAndSortInIndexOrder) {
  std::string previous;
  for (std::size_t h = 0; h < kMaxHosts; ++h) {
    const auto index = static_cast<HostIndex>(h);
    const std::string uuid = sim_host_uuid(index);
    EXPECT_TRUE(pool::is_valid_uuid(uuid)) << uuid;
    EXPECT_LT(previous, uuid);
    EXPECT_EQ(sim_host_index(uuid), index);
    previous = uuid;
  }
  EXPECT_EQ(sim_host_uuid(7), "00000000-0000-4000-a000-000000000007");
  EXPECT_EQ(sim_host_index(""), kNoHost);
}

TEST(SimMetadataRecords, VmRecordsRoundTrip) {
  VmRecord best_effort =
      make_record("00000000-0000-4000-8000-000000000002", VmPower::kHalted, kNoHost, 2);
  best_effort.priority = RestartPriority::kBestEffort;
  best_effort.always_run = false;
  best_effort.agile = false;
  best_effort.order = -3;
  best_effort.start_delay = 30s;
  VmRecord unprotected = make_record("vm-unprotected", VmPower::kHalted, kNoHost, kNoHost);
  unprotected.priority = RestartPriority::kUnprotected;
  unprotected.memory = 0;
  const std::vector<VmRecord> records = {
      make_record("00000000-0000-4000-8000-000000000001", VmPower::kRunning, 1, kNoHost),
      best_effort, unprotected,
      make_record("vm-last-host", VmPower::kRunning, kMaxHosts - 1, kNoHost)};
  for (const VmRecord& r : records) {
    const pool::Vm vm = to_pool_vm(r);
    EXPECT_TRUE(pool::check_fields(vm).ok()) << pool::check_fields(vm).error().message();
    EXPECT_EQ(to_vm_record(vm), r) << r.uuid;
  }
}

TEST(SimMetadataRecords, VmFieldsUseTheDatabasesNamesAndUnits) {
  VmRecord r = make_record("vm-1", VmPower::kHalted, kNoHost, 3);
  r.priority = RestartPriority::kBestEffort;
  r.order = 4;
  r.start_delay = 12s;
  const pool::Vm starting = to_pool_vm(r);
  EXPECT_EQ(starting.uuid, "vm-1");
  EXPECT_EQ(starting.name_label, "vm vm-1");
  EXPECT_EQ(starting.memory_static_max, 2 * static_cast<std::int64_t>(kGiB));
  EXPECT_EQ(pool::to_string(starting.ha_restart_priority), "best-effort");
  EXPECT_EQ(starting.order, 4);
  EXPECT_EQ(starting.start_delay, 12);
  EXPECT_TRUE(starting.ha_always_run);
  EXPECT_TRUE(starting.agile);
  EXPECT_EQ(starting.power_state, pool::PowerState::kHalted);
  EXPECT_EQ(starting.resident_on, "");
  EXPECT_EQ(starting.scheduled_to_be_resident_on, sim_host_uuid(3));

  const pool::Vm running = to_pool_vm(make_record("vm-2", VmPower::kRunning, 0, kNoHost));
  EXPECT_EQ(running.power_state, pool::PowerState::kRunning);
  EXPECT_EQ(running.resident_on, sim_host_uuid(0));
  EXPECT_EQ(running.scheduled_to_be_resident_on, "");
  EXPECT_EQ(pool::to_string(running.ha_restart_priority), "restart");
}

TEST(SimMetadataRecords, StartDelayIsWholeSecondsRoundedUp) {
  EXPECT_EQ(start_delay_seconds(Duration::zero()), 0);
  EXPECT_EQ(start_delay_seconds(1us), 1);
  EXPECT_EQ(start_delay_seconds(1500ms), 2);
  EXPECT_EQ(start_delay_seconds(5s), 5);
  EXPECT_EQ(start_delay_seconds(-3s), 0);
  EXPECT_EQ(start_delay_seconds(std::chrono::hours(48)), pool::kMaxStartDelaySeconds);
  VmRecord r = make_record("vm-1", VmPower::kHalted, kNoHost, kNoHost);
  r.start_delay = 2300ms;
  EXPECT_EQ(to_vm_record(to_pool_vm(r)).start_delay, 3s);
}

TEST(SimMetadataRecords, HostsKeepTheirMemoryForVmsAndEnabled) {
  const failover::HostRecord host_record{"h3", 48 * kGiB, false};
  const pool::Host host = to_pool_host(3, host_record);
  EXPECT_EQ(host.uuid, sim_host_uuid(3));
  EXPECT_EQ(host.name_label, "h3");
  EXPECT_EQ(host.memory_total - host.memory_overhead, static_cast<std::int64_t>(48 * kGiB));
  EXPECT_EQ(host.memory_overhead, kSimHostOverheadBytes);
  EXPECT_FALSE(host.enabled);
  EXPECT_TRUE(pool::check_fields(host).ok());
  const failover::HostRecord back = to_host_record(host);
  EXPECT_EQ(back.uuid, sim_host_uuid(3));
  EXPECT_EQ(back.memory_for_vms, 48 * kGiB);
  EXPECT_FALSE(back.enabled);
}

failover::PoolSnapshot two_host_pool() {
  failover::PoolSnapshot snapshot;
  snapshot.hosts = {{"h0", 32 * kGiB, true}, {"h1", 16 * kGiB, false}};
  const VmRecord running = make_record("vm-a", VmPower::kRunning, 0, kNoHost);
  const VmRecord starting = make_record("vm-b", VmPower::kHalted, kNoHost, 1);
  snapshot.vms = {{running.uuid, running}, {starting.uuid, starting}};
  snapshot.policy.restart_on_internal_shutdown = false;
  snapshot.policy.failures_to_tolerate = 1;
  snapshot.policy.allow_overcommit = true;
  snapshot.status = failover::PlanStatus{1, 1, true, 1};
  return snapshot;
}

TEST(SimMetadataRecords, PoolIsAnHaEnabledDatabaseWithHostZeroMaster) {
  const pool::Database db = to_pool_database(two_host_pool());
  db.assert_invariants();
  const pool::Pool& pool_record = db.pool();
  EXPECT_EQ(pool_record.uuid, kSimPoolUuid);
  EXPECT_EQ(pool_record.master, sim_host_uuid(0));
  EXPECT_TRUE(pool_record.ha_enabled);
  ASSERT_EQ(pool_record.ha_statefiles.size(), 1u);
  const pool::Sr* heartbeat = db.find_sr(pool_record.ha_statefiles.front());
  ASSERT_NE(heartbeat, nullptr);
  EXPECT_TRUE(heartbeat->heartbeat);
  EXPECT_FALSE(pool_record.ha_reboot_vm_on_internal_shutdown);
  EXPECT_EQ(pool_record.ha_host_failures_to_tolerate, 1);
  EXPECT_TRUE(pool_record.ha_allow_overcommit);
  EXPECT_EQ(pool_record.ha_plan_exists_for, 1);
  EXPECT_TRUE(pool_record.ha_overcommitted);
  // vm-b's start holds 2 GiB of h1.
  EXPECT_EQ(db.free_memory(sim_host_uuid(1)), static_cast<std::int64_t>(14 * kGiB));
}

TEST(SimMetadataRecords, SnapshotRoundTripsThroughTheDatabase) {
  const failover::PoolSnapshot before = two_host_pool();
  failover::FailoverPolicy defaults;
  defaults.retry_interval = 7s;
  defaults.max_attempts = 4;
  defaults.best_effort_retry_interval = 9s;
  defaults.best_effort_attempts = 2;
  defaults.command_timeout = 90s;
  defaults.failures_to_tolerate = 3;  // the database's value wins
  const failover::PoolSnapshot after = sim::to_pool_snapshot(to_pool_database(before), defaults);

  EXPECT_EQ(after.vms, before.vms);
  ASSERT_EQ(after.hosts.size(), 2u);
  for (HostIndex h = 0; h < 2; ++h) {
    EXPECT_EQ(after.hosts[h].uuid, sim_host_uuid(h));
    EXPECT_EQ(after.hosts[h].memory_for_vms, before.hosts[h].memory_for_vms);
    EXPECT_EQ(after.hosts[h].enabled, before.hosts[h].enabled);
  }
  EXPECT_FALSE(after.policy.restart_on_internal_shutdown);
  EXPECT_EQ(after.policy.failures_to_tolerate, 1u);
  EXPECT_TRUE(after.policy.allow_overcommit);
  EXPECT_EQ(after.policy.retry_interval, 7s);
  EXPECT_EQ(after.policy.max_attempts, 4u);
  EXPECT_EQ(after.policy.best_effort_retry_interval, 9s);
  EXPECT_EQ(after.policy.best_effort_attempts, 2u);
  EXPECT_EQ(after.policy.command_timeout, 90s);
  EXPECT_EQ(after.status, before.status);
}

TEST(SimMetadataRecords, LoadedStatusKnowsThePlanAtLeast) {
  pool::Pool pool_record;
  pool_record.ha_host_failures_to_tolerate = 3;
  pool_record.ha_plan_exists_for = 2;
  pool_record.ha_overcommitted = false;
  EXPECT_EQ(to_plan_status(pool_record), (failover::PlanStatus{3, 2, false, 2}));
  const pool::SetPoolFields fields = to_pool_fields(failover::PlanStatus{2, 1, true, 3});
  EXPECT_EQ(fields.ha_host_failures_to_tolerate, 2);
  EXPECT_EQ(fields.ha_plan_exists_for, 1);
  EXPECT_EQ(fields.ha_overcommitted, true);
  EXPECT_FALSE(fields.master.has_value());
}

}  // namespace
}  // namespace poolha::sim

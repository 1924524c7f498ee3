// DaemonBackend on a real single-host pool: reads, HA-off writes that reach
// the heartbeat SR, refusals that change nothing, and HA enable, a VM start
// and stop through the coordinator, and HA disable.
#include "daemon/host/daemon_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/xenapi_errors.h"
#include "single_host_pool.h"

namespace poolha::daemon {
namespace {

using testing::kHostUuid;
using testing::kPoolUuid;
using testing::kSrUuid;
using testing::SingleHostPool;

std::vector<std::string> description(const api::Outcome& outcome) {
  return outcome.ok() ? std::vector<std::string>{} : outcome.error().description();
}

std::string code(const api::Outcome& outcome) {
  return outcome.ok() ? std::string("OK") : outcome.error().code();
}

bool running_here(const SingleHostPool& pool, const std::string& vm) {
  const std::vector<std::string> running = pool.hypervisor->running();
  return std::find(running.begin(), running.end(), vm) != running.end();
}

TEST(DaemonBackendTest, BeforeTheFirstLoadTheDatabaseIsAnEmptyPoolAndNotServed) {
  SingleHostPool pool({"web"});
  const auto db = pool.backend->database();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->pool().uuid, kPoolUuid);
  EXPECT_TRUE(db->hosts().empty());
  EXPECT_FALSE(pool.backend->role().serves_reads);
  EXPECT_FALSE(pool.backend->role().is_master);
  EXPECT_TRUE(pool.backend->role().master_address.empty());
}

TEST(DaemonBackendTest, HaOffReadsComeFromTheLoadedDatabase) {
  SingleHostPool pool({"web"});
  ASSERT_TRUE(pool.start());
  const api::HostRole role = pool.backend->role();
  EXPECT_EQ(role.local_host_uuid, kHostUuid);
  EXPECT_TRUE(role.is_master);
  EXPECT_TRUE(role.serves_reads);
  EXPECT_EQ(role.master_address, "127.0.0.1");
  EXPECT_EQ(pool.backend->master_endpoint(), (Endpoint{"127.0.0.1", 4443}));
  const auto db = pool.backend->database();
  EXPECT_EQ(db->hosts().size(), 1u);
  EXPECT_EQ(db->vms().size(), 1u);
  EXPECT_EQ(pool.backend->host_ha_state(kHostUuid), std::nullopt);
  // One host: no failure can be survived, none is the trivial plan.
  EXPECT_EQ(pool.backend->max_host_failures_to_tolerate(), 0);
  EXPECT_TRUE(pool.backend->failover_plan_exists(0));
  EXPECT_FALSE(pool.backend->failover_plan_exists(1));
}

TEST(DaemonBackendTest, HaOffVmSettingsArePersistedToTheHeartbeatSr) {
  SingleHostPool pool({"web"});
  ASSERT_TRUE(pool.start());
  const std::string web = pool.vm_uuid("web");
  EXPECT_TRUE(pool.call([&](api::Reply done) {
                    pool.backend->set_vm_ha_restart_priority(web, pool::RestartPriority::kRestart,
                                                             std::move(done));
                  })
                  .ok());
  EXPECT_TRUE(
      pool.call([&](api::Reply done) { pool.backend->set_vm_order(web, 3, std::move(done)); })
          .ok());
  EXPECT_TRUE(
      pool.call([&](api::Reply done) { pool.backend->set_vm_start_delay(web, 7, std::move(done)); })
          .ok());
  const auto fresh = pool.reload();
  ASSERT_NE(fresh, nullptr);
  const pool::Vm* vm = fresh->find_vm(web);
  ASSERT_NE(vm, nullptr);
  EXPECT_EQ(vm->ha_restart_priority, pool::RestartPriority::kRestart);
  EXPECT_FALSE(vm->ha_always_run) << "a halted VM is protected only once started";
  EXPECT_EQ(vm->order, 3);
  EXPECT_EQ(vm->start_delay, 7);

  const api::Outcome unknown = pool.call([&](api::Reply done) {
    pool.backend->set_vm_order("0d000000-0000-4000-8000-00000000000d", 1, std::move(done));
  });
  EXPECT_EQ(code(unknown), api::errors::kUuidInvalid);
}

TEST(DaemonBackendTest, HaOffFailuresToTolerateFollowsThePlan) {
  SingleHostPool pool({});
  ASSERT_TRUE(pool.start());
  const auto before = pool.store->generation();
  const api::Outcome refused = pool.call(
      [&](api::Reply done) { pool.backend->set_ha_host_failures_to_tolerate(1, std::move(done)); });
  EXPECT_EQ(code(refused), api::errors::kHaOperationWouldBreakFailoverPlan);
  EXPECT_EQ(pool.store->generation(), before);

  EXPECT_TRUE(pool.call([&](api::Reply done) {
                    pool.backend->set_ha_allow_overcommit(true, std::move(done));
                  })
                  .ok());
  EXPECT_TRUE(pool.call([&](api::Reply done) {
                    pool.backend->set_ha_host_failures_to_tolerate(1, std::move(done));
                  })
                  .ok());
  const auto fresh = pool.reload();
  ASSERT_NE(fresh, nullptr);
  EXPECT_TRUE(fresh->pool().ha_allow_overcommit);
  EXPECT_EQ(fresh->pool().ha_host_failures_to_tolerate, 1);
  EXPECT_EQ(fresh->pool().ha_plan_exists_for, 0);
  EXPECT_TRUE(fresh->pool().ha_overcommitted);
}

TEST(DaemonBackendTest, HaOffRefusesLifecycleAndDisable) {
  SingleHostPool pool({"web"});
  ASSERT_TRUE(pool.start());
  const std::string web = pool.vm_uuid("web");
  const api::Outcome start = pool.call([&](api::Reply done) {
    pool.backend->start_vm(api::StartVmRequest{web, std::nullopt, false, false}, std::move(done));
  });
  EXPECT_EQ(code(start), api::errors::kHaNotEnabled);
  ASSERT_EQ(description(start).size(), 2u);
  EXPECT_NE(description(start)[1].find("coordinator"), std::string::npos);
  const api::Outcome paused = pool.call([&](api::Reply done) {
    pool.backend->start_vm(api::StartVmRequest{web, std::nullopt, true, false}, std::move(done));
  });
  EXPECT_EQ(code(paused), api::errors::kOperationNotAllowed);
  const api::Outcome disable =
      pool.call([&](api::Reply done) { pool.backend->disable_ha(std::move(done)); });
  EXPECT_EQ(code(disable), api::errors::kHaNotEnabled);
  EXPECT_FALSE(running_here(pool, web));
}

TEST(DaemonBackendTest, HostDisableIsPersistedAndEvacuateNeedsNoVms) {
  SingleHostPool pool({"web"});
  ASSERT_TRUE(pool.start());
  EXPECT_TRUE(
      pool.call([&](api::Reply done) { pool.backend->disable_host(kHostUuid, std::move(done)); })
          .ok());
  EXPECT_FALSE(pool.reload()->find_host(kHostUuid)->enabled);
  EXPECT_TRUE(
      pool.call([&](api::Reply done) { pool.backend->evacuate_host(kHostUuid, std::move(done)); })
          .ok());
  EXPECT_TRUE(
      pool.call([&](api::Reply done) { pool.backend->enable_host(kHostUuid, std::move(done)); })
          .ok());
  EXPECT_TRUE(pool.reload()->find_host(kHostUuid)->enabled);
}

TEST(DaemonBackendTest, EnableHaRefusesAnotherSrAndAnUnsafeTimeoutChangingNothing) {
  SingleHostPool pool({"web"});
  ASSERT_TRUE(pool.start());
  const auto before = pool.store->generation();
  const api::Outcome other_sr = pool.call([&](api::Reply done) {
    pool.backend->enable_ha(api::EnableHaRequest{{"0e000000-0000-4000-8000-00000000000e"}, {}},
                            std::move(done));
  });
  EXPECT_EQ(code(other_sr), kValueNotSupported);
  ASSERT_EQ(description(other_sr).size(), 4u);
  EXPECT_EQ(description(other_sr)[1], "heartbeat_srs");
  EXPECT_NE(description(other_sr)[3].find(kSrUuid), std::string::npos);

  const api::Outcome too_short = pool.call([&](api::Reply done) {
    pool.backend->enable_ha(api::EnableHaRequest{{kSrUuid}, {{"timeout", "1"}}}, std::move(done));
  });
  EXPECT_EQ(code(too_short), kValueNotSupported);
  ASSERT_EQ(description(too_short).size(), 4u);
  EXPECT_EQ(description(too_short)[1], "timeout");
  EXPECT_EQ(description(too_short)[2], "1");

  pool.run_for(std::chrono::milliseconds(500));
  EXPECT_EQ(pool.store->generation(), before);
  EXPECT_FALSE(pool.reload()->pool().ha_enabled);
  EXPECT_FALSE(pool.membership->status().ha_on);
}

TEST(DaemonBackendTest, AFailedEnableIsRolledBackInThePoolRecord) {
  SingleHostPool pool({});
  ASSERT_TRUE(pool.start());
  pool.watchdog.check_error = "fencer socket missing";
  const api::Outcome failed = pool.call([&](api::Reply done) {
    pool.backend->enable_ha(api::EnableHaRequest{{}, {}}, std::move(done));
  });
  EXPECT_EQ(code(failed), kHaFailedToFormLiveset);
  ASSERT_EQ(description(failed).size(), 2u);
  EXPECT_NE(description(failed)[1].find("fencer socket missing"), std::string::npos);
  EXPECT_FALSE(pool.membership->status().ha_on);
  const auto fresh = pool.reload();
  EXPECT_FALSE(fresh->pool().ha_enabled);
  EXPECT_TRUE(fresh->pool().ha_statefiles.empty());

  const api::Outcome emergency = pool.call(
      [&](api::Reply done) { pool.backend->emergency_ha_disable(true, std::move(done)); });
  EXPECT_EQ(code(emergency), api::errors::kHaNotEnabled);
}

TEST(DaemonBackendTest, EnableStartStopAndDisableHa) {
  SingleHostPool pool({"web"});
  ASSERT_TRUE(pool.start());
  const std::string web = pool.vm_uuid("web");

  const api::Outcome enabled = pool.call([&](api::Reply done) {
    pool.backend->enable_ha(api::EnableHaRequest{{kSrUuid}, {}}, std::move(done));
  });
  ASSERT_TRUE(enabled.ok()) << code(enabled);
  EXPECT_TRUE(pool.membership->status().ha_on);
  EXPECT_TRUE(pool.backend->role().is_master);
  EXPECT_EQ(pool.backend->role().master_address, "127.0.0.1");
  {
    const auto fresh = pool.reload();
    EXPECT_TRUE(fresh->pool().ha_enabled);
    EXPECT_EQ(fresh->pool().ha_statefiles, std::vector<std::string>{kSrUuid});
    EXPECT_EQ(fresh->pool().ha_timeout, 2);
  }
  ASSERT_TRUE(pool.run_until([&] {
    const auto state = pool.backend->host_ha_state(kHostUuid);
    return state && state->live && state->statefile_srs == std::vector<std::string>{kSrUuid};
  }));
  const api::Outcome again = pool.call([&](api::Reply done) {
    pool.backend->enable_ha(api::EnableHaRequest{{kSrUuid}, {}}, std::move(done));
  });
  EXPECT_EQ(code(again), api::errors::kHaIsEnabled);
  EXPECT_TRUE(
      pool.call([&](api::Reply done) { pool.backend->ha_disarm_fencing(std::move(done)); }).ok());

  // The coordinator takes a VM once the host has reported on the liveset.
  api::Outcome started = api::Outcome::done();
  ASSERT_TRUE(pool.run_until([&] {
    started = pool.call([&](api::Reply done) {
      pool.backend->start_vm(api::StartVmRequest{web, kHostUuid, false, false}, std::move(done));
    });
    return started.ok() || (code(started) != api::errors::kHostOffline &&
                            code(started) != api::errors::kOperationNotAllowed);
  }));
  ASSERT_TRUE(started.ok()) << code(started);
  ASSERT_TRUE(pool.run_until([&] {
    const pool::Vm* vm = pool.backend->database()->find_vm(web);
    return running_here(pool, web) && vm->power_state == pool::PowerState::kRunning;
  }));
  EXPECT_EQ(pool.reload()->find_vm(web)->resident_on, kHostUuid);

  const api::Outcome twice = pool.call([&](api::Reply done) {
    pool.backend->start_vm(api::StartVmRequest{web, std::nullopt, false, false}, std::move(done));
  });
  EXPECT_EQ(description(twice),
            (std::vector<std::string>{api::errors::kVmBadPowerState, web, "halted", "running"}));
  const api::Outcome evacuate =
      pool.call([&](api::Reply done) { pool.backend->evacuate_host(kHostUuid, std::move(done)); });
  EXPECT_EQ(code(evacuate), api::errors::kOperationNotAllowed);

  EXPECT_TRUE(
      pool.call([&](api::Reply done) { pool.backend->clean_shutdown_vm(web, std::move(done)); })
          .ok());
  ASSERT_TRUE(pool.run_until([&] {
    return !running_here(pool, web) &&
           pool.backend->database()->find_vm(web)->power_state == pool::PowerState::kHalted;
  }));

  const api::Outcome disabled =
      pool.call([&](api::Reply done) { pool.backend->disable_ha(std::move(done)); });
  ASSERT_TRUE(disabled.ok()) << code(disabled);
  EXPECT_FALSE(pool.membership->status().ha_on);
  EXPECT_EQ(pool.backend->host_ha_state(kHostUuid), std::nullopt);
  EXPECT_FALSE(pool.reload()->pool().ha_enabled);
  EXPECT_TRUE(pool.backend->role().is_master);
  EXPECT_TRUE(pool.watchdog.fences.empty());
}

}  // namespace
}  // namespace poolha::daemon

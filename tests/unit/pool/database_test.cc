// The pool database model: derived values, validation of every kind of
// change, the persistent HA timeout, and that a rejected change changes nothing.
#include <gtest/gtest.h>

#include "pool/database.h"
#include "pool/field_rules.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::kGiB;
using test_support::make_host;
using test_support::make_sr;
using test_support::make_vm;
using test_support::sample_database;

// Applies a change expected to fail with `code` and checks nothing changed.
void expect_rejected(Database& db, const Change& change, ErrorCode code) {
  const Database before = db;
  const Status checked = db.check(change);
  const Status applied = db.apply(change);
  ASSERT_FALSE(checked.ok());
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, code) << applied.error().message();
  EXPECT_EQ(checked.error().code, code);
  EXPECT_FALSE(applied.error().detail.empty());
  EXPECT_EQ(db, before);
  db.assert_invariants();
}

TEST(PoolDatabase, FreeMemoryCountsRunningAndPausedVmsOnly) {
  const Database db = sample_database();
  // 64 GiB - 4 GiB overhead - vm-1 (8) - vm-2 (4).
  EXPECT_EQ(db.free_memory("host-a"), 48 * kGiB);
  // vm-4 is Paused and still holds its 16 GiB.
  EXPECT_EQ(db.free_memory("host-b"), 44 * kGiB);
  EXPECT_EQ(db.free_memory("host-c"), 60 * kGiB);
  ASSERT_EQ(db.vms_occupying("host-a").size(), 2u);
  EXPECT_EQ(db.vms_occupying("host-a")[0]->uuid, "vm-1");
  EXPECT_TRUE(db.vms_occupying("no-such-host").empty());
}

TEST(PoolDatabase, FreeMemoryFollowsVmsMovingAndHalting) {
  Database db = sample_database();
  test_support::apply_ok(db, UpsertVm{make_vm("vm-1", 8, "host-c")});
  EXPECT_EQ(db.free_memory("host-a"), 56 * kGiB);
  EXPECT_EQ(db.free_memory("host-c"), 52 * kGiB);
  test_support::apply_ok(db, UpsertVm{make_vm("vm-1", 8)});  // halted
  EXPECT_EQ(db.free_memory("host-c"), 60 * kGiB);
  test_support::apply_ok(db, RemoveVm{"vm-2"});
  EXPECT_EQ(db.free_memory("host-a"), 60 * kGiB);
  db.assert_invariants();
}

TEST(PoolDatabase, FreeMemoryGoesNegativeWhenOvercommitted) {
  Database db = sample_database();
  test_support::apply_ok(db, UpsertVm{make_vm("vm-big", 70, "host-c")});
  EXPECT_EQ(db.free_memory("host-c"), -10 * kGiB);
}

TEST(PoolDatabase, ProtectedMeansAlwaysRunAndRestartPriority) {
  Vm vm = make_vm("v", 1, {}, RestartPriority::kRestart);
  EXPECT_TRUE(is_protected(vm));
  vm.ha_always_run = false;  // shut down through the API
  EXPECT_FALSE(is_protected(vm));
  vm = make_vm("v", 1, {}, RestartPriority::kBestEffort);
  vm.ha_always_run = true;
  EXPECT_FALSE(is_protected(vm));
}

TEST(PoolDatabase, PriorityAndPowerStateStringsAreXapis) {
  EXPECT_EQ(to_string(RestartPriority::kRestart), "restart");
  EXPECT_EQ(to_string(RestartPriority::kBestEffort), "best-effort");
  EXPECT_EQ(to_string(RestartPriority::kUnprotected), "");
  EXPECT_EQ(parse_restart_priority(""), RestartPriority::kUnprotected);
  EXPECT_EQ(parse_restart_priority("best-effort"), RestartPriority::kBestEffort);
  EXPECT_EQ(parse_restart_priority("Restart"), std::nullopt);
  EXPECT_EQ(parse_restart_priority("always_restart"), std::nullopt);
  for (PowerState s :
       {PowerState::kHalted, PowerState::kPaused, PowerState::kRunning, PowerState::kSuspended}) {
    EXPECT_EQ(parse_power_state(to_string(s)), s);
  }
  EXPECT_EQ(to_string(PowerState::kRunning), "Running");
  EXPECT_EQ(parse_power_state("running"), std::nullopt);
}

TEST(PoolDatabase, RejectsBadHosts) {
  Database db = sample_database();
  Host h = make_host("host-d");
  h.memory_total = -1;
  expect_rejected(db, UpsertHost{h}, ErrorCode::kInvalidValue);
  h = make_host("host-d");
  h.memory_overhead = h.memory_total + 1;
  expect_rejected(db, UpsertHost{h}, ErrorCode::kInvalidValue);
  h = make_host("host-d");
  h.memory_overhead = -1;
  expect_rejected(db, UpsertHost{h}, ErrorCode::kInvalidValue);
  h = make_host("");
  expect_rejected(db, UpsertHost{h}, ErrorCode::kInvalidValue);
  h = make_host("has space");
  expect_rejected(db, UpsertHost{h}, ErrorCode::kInvalidValue);
  h = make_host("host-d");
  h.name_label = "\xC0\xAF";  // overlong UTF-8
  expect_rejected(db, UpsertHost{h}, ErrorCode::kInvalidValue);
}

TEST(PoolDatabase, RejectsBadVms) {
  Database db = sample_database();
  expect_rejected(db, UpsertVm{make_vm("vm-9", 1, "host-x")}, ErrorCode::kDanglingReference);
  Vm vm = make_vm("vm-9", 1, "host-a");
  vm.memory_static_max = -kGiB;
  expect_rejected(db, UpsertVm{vm}, ErrorCode::kInvalidValue);
  vm = make_vm("vm-9", 1);
  vm.power_state = PowerState::kRunning;  // running nowhere
  expect_rejected(db, UpsertVm{vm}, ErrorCode::kInvalidValue);
  vm = make_vm("vm-9", 1, "host-a");
  vm.power_state = PowerState::kHalted;  // halted but resident
  expect_rejected(db, UpsertVm{vm}, ErrorCode::kInvalidValue);
  vm = make_vm("vm-9", 1, "host-a");
  vm.start_delay = -5;
  expect_rejected(db, UpsertVm{vm}, ErrorCode::kInvalidValue);
}

TEST(PoolDatabase, RemovingUnknownRecordsFails) {
  Database db = sample_database();
  expect_rejected(db, RemoveHost{"host-x"}, ErrorCode::kUnknownUuid);
  expect_rejected(db, RemoveSr{"sr-x"}, ErrorCode::kUnknownUuid);
  expect_rejected(db, RemoveVm{"vm-x"}, ErrorCode::kUnknownUuid);
}

TEST(PoolDatabase, RecordsInUseCannotBeRemoved) {
  Database db = sample_database();
  expect_rejected(db, RemoveHost{"host-a"}, ErrorCode::kStillReferenced);  // the master
  expect_rejected(db, RemoveHost{"host-b"}, ErrorCode::kStillReferenced);  // vm-4 is paused there
  expect_rejected(db, RemoveSr{"sr-hb"}, ErrorCode::kStillReferenced);     // the statefile
  Sr demoted = make_sr("sr-hb", true);
  demoted.heartbeat = false;
  expect_rejected(db, UpsertSr{demoted}, ErrorCode::kStillReferenced);
  test_support::apply_ok(db, RemoveHost{"host-c"});
  test_support::apply_ok(db, RemoveSr{"sr-local"});
  EXPECT_EQ(db.find_host("host-c"), nullptr);
  db.assert_invariants();
}

TEST(PoolDatabase, PoolFieldsAreChecked) {
  Database db = sample_database();
  SetPoolFields f;
  f.master = "host-x";
  expect_rejected(db, f, ErrorCode::kDanglingReference);
  f = {};
  f.ha_statefiles = std::vector<std::string>{"sr-local"};  // not a heartbeat SR
  expect_rejected(db, f, ErrorCode::kDanglingReference);
  f.ha_statefiles = std::vector<std::string>{"sr-nope"};
  expect_rejected(db, f, ErrorCode::kDanglingReference);
  f.ha_statefiles = std::vector<std::string>{};  // HA is on: a statefile is needed
  expect_rejected(db, f, ErrorCode::kInvalidValue);
  f.ha_statefiles = std::vector<std::string>{"sr-hb", "sr-hb"};
  expect_rejected(db, f, ErrorCode::kInvalidValue);
  f = {};
  f.ha_host_failures_to_tolerate = -1;
  expect_rejected(db, f, ErrorCode::kInvalidValue);
  f = {};
  f.ha_timeout = 0;
  expect_rejected(db, f, ErrorCode::kInvalidValue);
  f = {};
  f.ha_configuration = std::map<std::string, std::string>{{"timeout", "soon"}};
  expect_rejected(db, f, ErrorCode::kInvalidValue);
  f.ha_configuration = std::map<std::string, std::string>{{"timeout", "-30"}};
  expect_rejected(db, f, ErrorCode::kInvalidValue);
  f.ha_configuration = std::map<std::string, std::string>{{"timeout", "120"}};
  f.ha_timeout = 60;  // disagrees with the map
  expect_rejected(db, f, ErrorCode::kInvalidValue);
}

TEST(PoolDatabase, HaTimeoutPersistsAcrossDisableAndReenable) {
  Database db = sample_database();
  EXPECT_EQ(db.pool().ha_timeout, 90);
  EXPECT_EQ(db.pool().ha_configuration.at("timeout"), "90");

  SetPoolFields disable;
  disable.ha_enabled = false;
  disable.ha_statefiles = std::vector<std::string>{};
  test_support::apply_ok(db, disable);
  EXPECT_EQ(db.pool().ha_timeout, 90);

  // Re-enable without ha-config:timeout: the configuration is replaced (as
  // xapi does) but the timeout is kept.
  SetPoolFields enable;
  enable.ha_enabled = true;
  enable.ha_statefiles = std::vector<std::string>{"sr-hb"};
  enable.ha_configuration = std::map<std::string, std::string>{{"other", "x"}};
  test_support::apply_ok(db, enable);
  EXPECT_EQ(db.pool().ha_timeout, 90);
  EXPECT_EQ(db.pool().ha_configuration.at("timeout"), "90");
  EXPECT_EQ(db.pool().ha_configuration.at("other"), "x");

  // Changed while HA is on.
  SetPoolFields retune;
  retune.ha_timeout = 45;
  test_support::apply_ok(db, retune);
  EXPECT_TRUE(db.pool().ha_enabled);
  EXPECT_EQ(db.pool().ha_timeout, 45);
  EXPECT_EQ(db.pool().ha_configuration.at("timeout"), "45");

  // An explicit ha-config:timeout on enable wins.
  SetPoolFields explicit_timeout;
  explicit_timeout.ha_configuration = std::map<std::string, std::string>{{"timeout", "0120"}};
  test_support::apply_ok(db, explicit_timeout);
  EXPECT_EQ(db.pool().ha_timeout, 120);
  EXPECT_EQ(db.pool().ha_configuration.at("timeout"), "120");
  db.assert_invariants();
}

TEST(PoolDatabase, NewPoolHasXapiDefaults) {
  const Database db("p");
  EXPECT_EQ(db.pool().ha_timeout, kDefaultHaTimeoutSeconds);
  EXPECT_TRUE(db.pool().ha_reboot_vm_on_internal_shutdown);
  EXPECT_FALSE(db.pool().ha_enabled);
  EXPECT_TRUE(db.pool().master.empty());
  EXPECT_EQ(Host{}.ha_weight, 1u);
  EXPECT_TRUE(Host{}.enabled);
  db.assert_invariants();
}

TEST(PoolDatabase, FromRecordsChecksEverything) {
  const Database sample = sample_database();
  auto records = [&] {
    std::vector<Host> hosts;
    for (const auto& [u, h] : sample.hosts()) hosts.push_back(h);
    std::vector<Sr> srs;
    for (const auto& [u, s] : sample.srs()) srs.push_back(s);
    std::vector<Vm> vms;
    for (const auto& [u, v] : sample.vms()) vms.push_back(v);
    return std::tuple(hosts, srs, vms);
  };
  {
    auto [hosts, srs, vms] = records();
    Result<Database> db = Database::from_records(sample.pool(), hosts, srs, vms);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(db.value(), sample);
    EXPECT_EQ(db.value().free_memory("host-a"), sample.free_memory("host-a"));
  }
  {
    auto [hosts, srs, vms] = records();
    hosts.push_back(hosts.front());
    EXPECT_EQ(Database::from_records(sample.pool(), hosts, srs, vms).error().code,
              ErrorCode::kInvalidValue);
  }
  {
    auto [hosts, srs, vms] = records();
    vms.push_back(make_vm("vm-lost", 1, "host-gone"));
    EXPECT_EQ(Database::from_records(sample.pool(), hosts, srs, vms).error().code,
              ErrorCode::kDanglingReference);
  }
  {
    auto [hosts, srs, vms] = records();
    Pool pool = sample.pool();
    pool.ha_configuration["timeout"] = "30";  // disagrees with ha_timeout
    EXPECT_EQ(Database::from_records(pool, hosts, srs, vms).error().code, ErrorCode::kInvalidValue);
  }
}

TEST(PoolDatabase, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("h\xC3\xB4te \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

}  // namespace
}  // namespace poolha::pool

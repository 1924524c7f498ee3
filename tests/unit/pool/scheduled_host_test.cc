// A VM's scheduled_to_be_resident_on: the host a start is taking it to. Its
// rules, the memory it holds on that host, and its JSON form.
#include <gtest/gtest.h>

#include <string>

#include "pool/change_json.h"
#include "pool/database.h"
#include "pool/database_json.h"
#include "pool/field_rules.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::apply_ok;
using test_support::kGiB;
using test_support::make_vm;
using test_support::sample_database;

// vm-3 (Halted, 2 GiB) of the sample with a start on its way to `host`.
Vm starting_on(const std::string& host) {
  Vm vm = make_vm("vm-3", 2);
  vm.scheduled_to_be_resident_on = host;
  return vm;
}

ErrorCode rejection(const Database& db, const Vm& vm) {
  const Status s = db.check(UpsertVm{vm});
  EXPECT_FALSE(s.ok()) << vm.uuid;
  return s.ok() ? ErrorCode::kMalformed : s.error().code;
}

TEST(PoolScheduledHost, EmptyByDefault) {
  EXPECT_TRUE(Vm{}.scheduled_to_be_resident_on.empty());
  const Database db = sample_database();
  for (const auto& [uuid, vm] : db.vms()) {
    EXPECT_TRUE(vm.scheduled_to_be_resident_on.empty()) << uuid;
  }
}

TEST(PoolScheduledHost, NamesAnExistingHostLikeResidentOn) {
  const Database db = sample_database();
  EXPECT_TRUE(db.check(UpsertVm{starting_on("host-c")}).ok());
  EXPECT_EQ(rejection(db, starting_on("host-q")), ErrorCode::kDanglingReference);
  EXPECT_EQ(rejection(db, starting_on("has space")), ErrorCode::kInvalidValue);
  EXPECT_EQ(rejection(db, starting_on(std::string(kMaxUuidLength + 1, 'h'))),
            ErrorCode::kInvalidValue);
}

TEST(PoolScheduledHost, OnlyAVmWithoutADomainIsOnItsWay) {
  const Database db = sample_database();
  Vm running = make_vm("vm-1", 8, "host-a");
  running.scheduled_to_be_resident_on = "host-b";
  EXPECT_EQ(rejection(db, running), ErrorCode::kInvalidValue);
  running.scheduled_to_be_resident_on = "host-a";
  EXPECT_EQ(rejection(db, running), ErrorCode::kInvalidValue);
  Vm paused = running;
  paused.power_state = PowerState::kPaused;
  EXPECT_EQ(rejection(db, paused), ErrorCode::kInvalidValue);
  // Resuming a suspended VM schedules it like a start.
  Vm resuming = make_vm("vm-5", 1);
  resuming.power_state = PowerState::kSuspended;
  resuming.scheduled_to_be_resident_on = "host-b";
  EXPECT_TRUE(db.check(UpsertVm{resuming}).ok());
}

TEST(PoolScheduledHost, HoldsTheHostsMemoryUntilTheStartEnds) {
  Database db = sample_database();
  const std::int64_t free_before = db.free_memory("host-c");
  apply_ok(db, UpsertVm{starting_on("host-c")});
  EXPECT_EQ(db.free_memory("host-c"), free_before - 2 * kGiB);
  ASSERT_EQ(db.vms_occupying("host-c").size(), 1u);
  EXPECT_EQ(db.vms_occupying("host-c")[0]->uuid, "vm-3");
  db.assert_invariants();

  apply_ok(db, UpsertVm{make_vm("vm-3", 2, "host-c")});  // the start succeeded
  EXPECT_EQ(db.free_memory("host-c"), free_before - 2 * kGiB);
  apply_ok(db, UpsertVm{starting_on("host-b")});  // halted again, then another start
  EXPECT_EQ(db.free_memory("host-c"), free_before);
  apply_ok(db, UpsertVm{make_vm("vm-3", 2)});  // that start failed
  EXPECT_TRUE(db.vms_occupying("host-c").empty());
  EXPECT_EQ(db.free_memory("host-b"), sample_database().free_memory("host-b"));
  db.assert_invariants();
}

TEST(PoolScheduledHost, TheTargetHostCannotBeRemoved) {
  Database db = sample_database();
  apply_ok(db, UpsertVm{starting_on("host-c")});
  const Database before = db;
  const Status s = db.apply(RemoveHost{"host-c"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kStillReferenced);
  EXPECT_EQ(db, before);
  apply_ok(db, RemoveVm{"vm-3"});
  apply_ok(db, RemoveHost{"host-c"});
  db.assert_invariants();
}

TEST(PoolScheduledHost, FromRecordsChecksTheReference) {
  const Database sample = sample_database();
  std::vector<Host> hosts;
  for (const auto& [uuid, host] : sample.hosts()) hosts.push_back(host);
  std::vector<Sr> srs;
  for (const auto& [uuid, sr] : sample.srs()) srs.push_back(sr);
  std::vector<Vm> vms{starting_on("host-gone")};
  Result<Database> db = Database::from_records(sample.pool(), hosts, srs, vms);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kDanglingReference);
  vms = {starting_on("host-b")};
  db = Database::from_records(sample.pool(), hosts, srs, vms);
  ASSERT_TRUE(db.ok()) << db.error().message();
  EXPECT_EQ(db.value().free_memory("host-b"), 60 * kGiB - 2 * kGiB);
}

TEST(PoolScheduledHost, JsonCarriesTheField) {
  Database db = sample_database();
  apply_ok(db, UpsertVm{starting_on("host-c")});
  const std::string text = encode_database(db);
  EXPECT_NE(text.find(R"("scheduled_to_be_resident_on":"host-c")"), std::string::npos);
  EXPECT_NE(text.find(R"("scheduled_to_be_resident_on":"")"), std::string::npos);
  Result<Database> decoded = decode_database(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded.value(), db);

  const Change change = UpsertVm{starting_on("host-b")};
  Result<Change> decoded_change = decode_change(encode_change(change));
  ASSERT_TRUE(decoded_change.ok()) << decoded_change.error().message();
  EXPECT_EQ(decoded_change.value(), change);
}

TEST(PoolScheduledHost, JsonRequiresTheFieldAndChecksIt) {
  Database db = sample_database();
  apply_ok(db, UpsertVm{starting_on("host-c")});
  const std::string text = encode_database(db);
  const std::string field = R"("scheduled_to_be_resident_on":"host-c",)";
  const auto at = text.find(field);
  ASSERT_NE(at, std::string::npos);

  std::string missing = text;
  missing.erase(at, field.size());
  Result<Database> decoded = decode_database(missing);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kMalformed);

  std::string mistyped = text;
  mistyped.replace(at, field.size(), R"("scheduled_to_be_resident_on":7,)");
  decoded = decode_database(mistyped);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kMalformed);

  std::string dangling = text;
  dangling.replace(at, field.size(), R"("scheduled_to_be_resident_on":"host-q",)");
  decoded = decode_database(dangling);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kDanglingReference);
}

}  // namespace
}  // namespace poolha::pool

// RecordWatcher: events from whole snapshots, as a slave or an HA fact
// change produces them.
#include "api/record_watcher.h"

#include <gtest/gtest.h>

#include "api/object_refs.h"
#include "api_test_support.h"

namespace poolha::api {
namespace {

using namespace test_support;

std::vector<std::string> summary(const std::vector<ObjectEvent>& events) {
  std::vector<std::string> out;
  for (const ObjectEvent& e : events) {
    out.push_back(e.class_name + " " + std::string(to_string(e.operation)) + " " + e.ref);
  }
  return out;
}

TEST(RecordWatcher, FirstCallAddsEveryObjectThenNothingChanges) {
  FakeBackend backend(sample_database());
  RecordWatcher watcher;
  const auto first = watcher.changes(ReadContext{*backend.database(), backend});
  // pool, 2 hosts, 2 VMs, 2 SRs
  EXPECT_EQ(first.size(), 7u);
  for (const ObjectEvent& e : first) {
    EXPECT_EQ(e.operation, EventOperation::kAdd);
    EXPECT_TRUE(e.snapshot.has_value());
  }
  EXPECT_TRUE(watcher.changes(ReadContext{*backend.database(), backend}).empty());
}

TEST(RecordWatcher, ReportsModsAddsAndDeletesBetweenSnapshots) {
  FakeBackend backend(sample_database());
  RecordWatcher watcher;
  watcher.changes(ReadContext{*backend.database(), backend});

  pool::Database next = *backend.database();
  pool::Vm vm = *next.find_vm(kRunningVmUuid);
  vm.power_state = pool::PowerState::kHalted;
  vm.resident_on.clear();
  ASSERT_TRUE(next.apply(pool::UpsertVm{vm}).ok());
  ASSERT_TRUE(next.apply(pool::RemoveVm{kHaltedVmUuid}).ok());
  pool::Vm added;
  added.uuid = "vm-new";
  added.name_label = "new";
  added.memory_static_max = kGiB;
  ASSERT_TRUE(next.apply(pool::UpsertVm{added}).ok());

  const auto events = watcher.changes(ReadContext{next, backend});
  // Uuid order within a class; the master host's resident VMs and free
  // memory moved with the halt.
  EXPECT_EQ(summary(events), (std::vector<std::string>{
                                 "host mod " + ref_of(kMasterUuid),
                                 "vm add " + ref_of("vm-new"),
                                 "vm mod " + ref_of(kRunningVmUuid),
                                 "vm del " + ref_of(kHaltedVmUuid),
                             }));
  EXPECT_FALSE(events.back().snapshot.has_value());
}

TEST(RecordWatcher, AnHaFactOutsideTheDatabaseIsAMod) {
  FakeBackend backend(sample_database());
  RecordWatcher watcher;
  watcher.changes(ReadContext{*backend.database(), backend});
  backend.ha_states[kSlaveUuid] = HostHaState{false, {}, {}};
  EXPECT_EQ(summary(watcher.changes(ReadContext{*backend.database(), backend})),
            (std::vector<std::string>{"host mod " + ref_of(kSlaveUuid)}));
}

}  // namespace
}  // namespace poolha::api

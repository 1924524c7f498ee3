// The contract between the coordinator and its shell: every command goes out
// in the same Ready as the VM record that allows it (persisted first), and
// command ids never repeat across the livesets a master acts on.
#include <gtest/gtest.h>

#include <set>

#include "failover/coordinator.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

using namespace testing;

// Every command of `ready` has its VM's record in `ready`, in the state the
// command needs the database to hold before it goes out.
void expect_records_for_commands(const CoordinatorReady& ready) {
  for (const auto& [host, command] : ready.commands) {
    const VmRecord* record = record_of(ready, command.vm.uuid);
    ASSERT_NE(record, nullptr) << command.vm.uuid;
    if (command.kind == VmCommand::Kind::kStart) {
      EXPECT_EQ(record->power, VmPower::kHalted) << command.vm.uuid;
      EXPECT_EQ(record->scheduled_on, host) << command.vm.uuid;
    } else {
      EXPECT_EQ(record->power, VmPower::kRunning) << command.vm.uuid;
      EXPECT_EQ(record->resident_on, host) << command.vm.uuid;
      EXPECT_FALSE(record->always_run) << command.vm.uuid;
    }
  }
}

TEST(FailoverCoordinatorContract, CommandIdsNeverRepeatAcrossEpochs) {
  FailoverPolicy policy;
  policy.command_resend = 1h;  // only first sends here
  Master m(pool_of(
      3, 16,
      {vm_on("web", 2, 2), vm_on("db", 2, 2), vm_on("x", 1, 1, RestartPriority::kUnprotected)},
      policy));
  settle_epoch_1(m);
  std::set<std::uint64_t> ids;
  std::uint32_t incarnation_of_2 = 1;
  std::int64_t now = 1100;
  for (std::uint64_t epoch = 2; epoch <= 12; epoch += 2) {
    // h2 dies: its VMs restart on h0/h1, each with a fresh id.
    m.announce(seconds(now), liveset(epoch, {0, 1}, 0));
    const CoordinatorReady restarts = m.report_all(seconds(now));
    ASSERT_FALSE(restarts.commands.empty()) << epoch;
    for (const auto& [host, command] : restarts.commands) {
      EXPECT_TRUE(ids.insert(command.id).second) << "id " << command.id << " repeated";
      EXPECT_EQ(command.id >> 32, epoch);
      m.answer(seconds(now + 1), host, command, true);
    }
    // The operator stops and starts x: two more ids.
    ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(now + 2), "x").ok);
    const VmCommand stop = m.coordinator().take_ready().commands.at(0).second;
    EXPECT_TRUE(ids.insert(stop.id).second);
    m.answer(seconds(now + 3), 1, stop, true);
    ASSERT_TRUE(m.coordinator().start_vm(seconds(now + 4), "x", HostIndex{1}).ok);
    const VmCommand start = m.coordinator().take_ready().commands.at(0).second;
    EXPECT_TRUE(ids.insert(start.id).second);
    m.answer(seconds(now + 5), 1, start, true);

    // h2 comes back as a new incarnation; the operator moves web and db back
    // to it, so that the next round loses them again.
    ++incarnation_of_2;
    m.announce(seconds(now + 10), liveset(epoch + 1, {0, 1, 2}, 0, {{2, incarnation_of_2}}));
    for (const char* name : {"web", "db"}) {
      ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(now + 10), name).ok);
    }
    const CoordinatorReady stops = m.coordinator().take_ready();
    for (const auto& [host, command] : stops.commands) {
      EXPECT_TRUE(ids.insert(command.id).second);
      m.answer(seconds(now + 11), host, command, true);
    }
    m.report_all(seconds(now + 12));
    for (const char* name : {"web", "db"}) {
      ASSERT_TRUE(m.coordinator().start_vm(seconds(now + 12), name, HostIndex{2}).ok);
    }
    const CoordinatorReady starts = m.coordinator().take_ready();
    for (const auto& [host, command] : starts.commands) {
      EXPECT_TRUE(ids.insert(command.id).second);
      m.answer(seconds(now + 13), host, command, true);
    }
    now += 100;
  }
  EXPECT_GE(ids.size(), 40u);
}

TEST(FailoverCoordinatorContract, EveryCommandGoesWithItsRecord) {
  FailoverPolicy policy;
  policy.command_resend = 10s;
  policy.retry_interval = 20s;
  Master m(pool_of(3, 16,
                   {vm_on("a", 2, 2), vm_on("b", 2, 2), vm_on("c", 1, 2),
                    vm_on("be", 2, 1, RestartPriority::kBestEffort),
                    vm_on("off", kNoHost, 1, RestartPriority::kUnprotected)},
                   policy));
  std::vector<CoordinatorReady> readies;
  readies.push_back(settle_epoch_1(m));
  readies.push_back(m.announce(seconds(1100), liveset(2, {0, 1}, 0)));
  readies.push_back(m.report_all(seconds(1100)));
  const auto restarts = readies.back().commands;
  ASSERT_FALSE(restarts.empty());
  readies.push_back(m.tick(seconds(1110)));  // unanswered: sent again
  EXPECT_FALSE(readies.back().commands.empty());
  readies.push_back(
      m.answer(seconds(1111), restarts[0].first, restarts[0].second, false, "VM_START_FAILED"));
  for (std::size_t i = 1; i < restarts.size(); ++i) {
    readies.push_back(m.answer(seconds(1112), restarts[i].first, restarts[i].second, true));
  }
  readies.push_back(m.tick(seconds(1131)));  // the retry
  ASSERT_TRUE(m.coordinator().shutdown_vm(seconds(1132), "c").ok);
  ASSERT_TRUE(m.coordinator().start_vm(seconds(1132), "off", std::nullopt).ok);
  readies.push_back(m.coordinator().take_ready());
  readies.push_back(m.tick(seconds(1150)));
  std::size_t commands = 0;
  for (const CoordinatorReady& ready : readies) {
    expect_records_for_commands(ready);
    commands += ready.commands.size();
  }
  EXPECT_GE(commands, 8u);
}

}  // namespace
}  // namespace poolha::failover

// One master host's VmFailover with a persister the test completes by hand:
// commands wait for their write, a failed write is offered again, writes of
// a stopped coordinator send nothing, and an operator action is answered
// only after its write.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "../support/event_loop.h"
#include "common/units.h"
#include "daemon/vms/asio_scheduler.h"
#include "daemon/vms/vm_failover.h"
#include "vm/run_ledger.h"
#include "vm/sim_vm_driver.h"

namespace poolha::daemon {
namespace {

using test_support::run_until;

const std::string kVm = "00000000-0000-4000-8000-000000000009";

// Holds every write until the test completes it.
class ManualPersister final : public CoordinatorPersister {
 public:
  struct Write {
    std::vector<failover::VmRecord> records;
    std::optional<failover::PlanStatus> status;
    Done done;
  };
  void persist(std::vector<failover::VmRecord> records, std::optional<failover::PlanStatus> status,
               Done done) override {
    writes.push_back(Write{std::move(records), status, std::move(done)});
  }
  std::vector<Write> writes;
};

// Records what is sent; messages to this host go straight back to it.
class LoopbackSender final : public PeerSender {
 public:
  LoopbackSender(asio::io_context& io, HostIndex self) : io_(io), self_(self) {}
  void send(HostIndex to, PeerMessage message) override {
    if (std::holds_alternative<failover::VmCommand>(message)) ++commands;
    if (to == self_) {
      asio::post(io_, [this, message = std::move(message)] { target->receive(message); });
    }
  }
  VmFailover* target = nullptr;
  int commands = 0;

 private:
  asio::io_context& io_;
  HostIndex self_;
};

class PersistOrderTest : public ::testing::Test {
 protected:
  PersistOrderTest() {
    pool.hosts = {failover::HostRecord{"h0", 8 * kGiB, true}};
    failover::VmRecord vm;
    vm.uuid = kVm;
    vm.name = "app";
    vm.memory = kGiB;
    vm.priority = failover::RestartPriority::kRestart;
    pool.vms.emplace(kVm, vm);
    VmFailoverConfig config;
    config.self = 0;
    config.report_interval = std::chrono::milliseconds(100);
    config.persist_retry = std::chrono::milliseconds(20);
    config.load_retry = std::chrono::milliseconds(20);
    VmFailoverListener listener;
    listener.needs_coordinator = [this](std::uint64_t term) { terms.push_back(term); };
    failover = std::make_unique<VmFailover>(config, io.get_executor(), clock, driver, sender,
                                            persister, listener);
    sender.target = failover.get();
  }

  void announce(bool master) {
    wire::Membership m;
    m.epoch = 1;
    m.master = 0;
    m.members.insert(0);
    m.incarnation[0] = 1;
    failover->set_membership(HostMembership{m, 1, true, master});
  }

  // Completes write `index`, then lets the loop run.
  void complete(std::size_t index, bool ok) {
    ASSERT_LT(index, persister.writes.size());
    persister.writes[index].done(ok);
    test_support::run_for(io, std::chrono::milliseconds(30));
  }

  // Starts the coordinator and completes its own first writes (plan status).
  void start_and_settle() {
    ASSERT_TRUE(run_until(io, [&] { return terms.size() == 1; }));
    EXPECT_FALSE(failover->start_coordinator(terms[0] + 1, pool)) << "another term is ignored";
    ASSERT_TRUE(failover->start_coordinator(terms[0], pool));
    for (std::size_t i = 0; i < persister.writes.size(); ++i) complete(i, true);
  }

  // Asks for the VM to start on h0 until the coordinator accepts (it needs
  // h0's report first); returns the index of the write that carries it.
  std::size_t start_vm_until_accepted() {
    const std::size_t before = persister.writes.size();
    for (int i = 0; i < 100 && persister.writes.size() == before; ++i) {
      answer.reset();
      failover->act([](failover::Coordinator& c,
                       TimePoint now) { return c.start_vm(now, kVm, HostIndex{0}); },
                    [this](failover::ApiResult r) { answer = r; });
      test_support::run_for(io, std::chrono::milliseconds(20));
    }
    EXPECT_EQ(persister.writes.size(), before + 1);
    return before;
  }

  asio::io_context io;
  io::MonotonicClock clock;
  AsioScheduler scheduler{io.get_executor(), clock};
  vm::RunLedger ledger;
  vm::SimVmDriver driver{
      0, 8 * kGiB, scheduler, ledger,
      vm::SimVmTiming{std::chrono::milliseconds(10), std::chrono::milliseconds(5)}};
  ManualPersister persister;
  LoopbackSender sender{io, 0};
  failover::PoolSnapshot pool;
  std::vector<std::uint64_t> terms;
  std::unique_ptr<VmFailover> failover;
  std::optional<failover::ApiResult> answer;
};

TEST_F(PersistOrderTest, CommandsWaitForTheirWriteAndFailedWritesAreRetried) {
  announce(true);
  start_and_settle();
  const std::size_t write = start_vm_until_accepted();
  // Accepted, but its write is open: no answer, no command, nothing runs.
  EXPECT_FALSE(answer.has_value());
  const auto& scheduled = persister.writes[write].records;
  ASSERT_TRUE(std::any_of(scheduled.begin(), scheduled.end(), [](const failover::VmRecord& r) {
    return r.uuid == kVm && r.scheduled_on == 0 && r.always_run;
  }));
  EXPECT_EQ(sender.commands, 0);

  complete(write, false);  // fails: offered again after persist_retry, still nothing sent
  ASSERT_TRUE(run_until(io, [&] { return persister.writes.size() == write + 2; }));
  EXPECT_EQ(persister.writes[write + 1].records, persister.writes[write].records);
  EXPECT_EQ(sender.commands, 0);
  EXPECT_FALSE(answer.has_value());
  EXPECT_TRUE(driver.running().empty());

  complete(write + 1, true);
  EXPECT_EQ(sender.commands, 1);
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(answer->ok);
  ASSERT_TRUE(run_until(io, [&] { return !driver.running().empty(); }));
}

TEST_F(PersistOrderTest, WritesOfAStoppedCoordinatorSendNothing) {
  announce(true);
  start_and_settle();
  const std::size_t write = start_vm_until_accepted();
  EXPECT_FALSE(answer.has_value());

  announce(false);  // loses the master role with the write open
  EXPECT_EQ(failover->coordinator(), nullptr);
  complete(write, true);
  EXPECT_EQ(sender.commands, 0) << "a stopped coordinator's commands never go";
  ASSERT_TRUE(answer.has_value());
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error, kMasterLostError);
  EXPECT_TRUE(driver.running().empty());

  // Master again: a new term, and the old one can no longer start a coordinator.
  announce(true);
  ASSERT_TRUE(run_until(io, [&] { return terms.size() == 2; }));
  EXPECT_NE(terms[0], terms[1]);
  EXPECT_FALSE(failover->start_coordinator(terms[0], pool));
  EXPECT_TRUE(failover->start_coordinator(terms[1], pool));
}

TEST_F(PersistOrderTest, ActionsWhileTheDatabaseLoadsAreRefused) {
  announce(true);
  failover->act([](failover::Coordinator& c, TimePoint now) { return c.shutdown_vm(now, kVm); },
                [this](failover::ApiResult r) { answer = r; });
  ASSERT_TRUE(run_until(io, [&] { return answer.has_value(); }));
  EXPECT_EQ(answer->error, kCoordinatorStartingError);

  ASSERT_TRUE(run_until(io, [&] { return terms.size() == 1; }));
  failover->coordinator_load_failed(terms[0]);
  ASSERT_TRUE(run_until(io, [&] { return terms.size() == 2; })) << "asked again after load_retry";
  EXPECT_EQ(terms[1], terms[0]);
}

}  // namespace
}  // namespace poolha::daemon

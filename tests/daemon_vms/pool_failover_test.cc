// Three hosts' VmFailover in one event loop, each with a simulated
// hypervisor on asio timers and a real PeerLink behind a real API server on
// 127.0.0.1, sharing a pool database in memory. The membership each engine
// would announce is set by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../support/event_loop.h"
#include "api/http_server.h"
#include "common/units.h"
#include "daemon/vms/asio_scheduler.h"
#include "daemon/vms/peer_link.h"
#include "daemon/vms/vm_failover.h"
#include "failover_support.h"
#include "vm/run_ledger.h"
#include "vm/sim_vm_driver.h"

namespace poolha::daemon {
namespace {

using test_support::CheckingSender;
using test_support::MemoryPoolDatabase;
using test_support::run_until;

constexpr std::size_t kHosts = 3;
const std::vector<std::uint8_t> kPoolSecret{'s', 'e', 'c', 'r', 'e', 't'};
const std::string kWeb = "00000000-0000-4000-8000-000000000001";
const std::string kDb = "00000000-0000-4000-8000-000000000002";

failover::VmRecord protected_vm(const std::string& uuid, const std::string& name) {
  failover::VmRecord r;
  r.uuid = uuid;
  r.name = name;
  r.memory = kGiB;
  r.priority = failover::RestartPriority::kRestart;
  return r;  // halted until an operator starts it
}

// h0 is too small for the VMs, so a restart can only go to another host
// and every start command crosses the network.
failover::PoolSnapshot initial_pool() {
  failover::PoolSnapshot pool;
  pool.hosts = {failover::HostRecord{"h0", kGiB / 2, true},
                failover::HostRecord{"h1", 8 * kGiB, true},
                failover::HostRecord{"h2", 8 * kGiB, true}};
  pool.vms.emplace(kWeb, protected_vm(kWeb, "web"));
  pool.vms.emplace(kDb, protected_vm(kDb, "db"));
  return pool;
}

wire::Membership liveset(std::uint64_t epoch, std::vector<HostIndex> members, HostIndex master) {
  wire::Membership m;
  m.epoch = epoch;
  m.master = master;
  for (HostIndex h : members) {
    m.members.insert(h);
    m.incarnation[h] = 1;
  }
  return m;
}

class PoolFailoverTest : public ::testing::Test {
 protected:
  struct Host {
    std::unique_ptr<vm::SimVmDriver> driver;
    std::unique_ptr<api::HttpServer> server;
    std::unique_ptr<PeerLink> link;
    std::unique_ptr<CheckingSender> sender;
    std::unique_ptr<VmFailover> failover;
    int commands_received = 0;
    std::vector<failover::FencedHost> fenced;
  };

  explicit PoolFailoverTest(Duration report_interval = std::chrono::milliseconds(200))
      : db(io.get_executor(), initial_pool(), std::chrono::milliseconds(20)) {
    db.fail_next_writes(1);  // the first write fails and must be retried
    for (HostIndex h = 0; h < kHosts; ++h) {
      Host& host = hosts[h];
      host.driver = std::make_unique<vm::SimVmDriver>(
          h, 8 * kGiB, scheduler, ledger,
          vm::SimVmTiming{std::chrono::milliseconds(50), std::chrono::milliseconds(10)});
      api::HttpServerConfig config;
      config.address = "127.0.0.1";
      config.threads = 4;
      config.keep_alive_timeout = std::chrono::seconds(1);
      host.server = std::make_unique<api::HttpServer>(config, [](api::RpcCall, api::Reply) {});
      host.server->add_post_route(
          std::string(kPeerMessagePath),
          [&host](const api::RawHttpRequest& request) { return host.link->handle_post(request); });
      host.server->start();
    }
    for (HostIndex h = 0; h < kHosts; ++h) {
      Host& host = hosts[h];
      PeerLinkConfig config;
      config.self = h;
      config.secret = kPoolSecret;
      config.pause_after_failure = std::chrono::milliseconds(100);
      for (HostIndex peer = 0; peer < kHosts; ++peer) {
        if (peer != h) config.peers[peer] = PeerEndpoint{"127.0.0.1", hosts[peer].server->port()};
      }
      host.link =
          std::make_unique<PeerLink>(config, io.get_executor(), [&host](PeerMessage message) {
            if (std::holds_alternative<failover::VmCommand>(message)) ++host.commands_received;
            host.failover->receive(message);
          });
      host.sender = std::make_unique<CheckingSender>(*host.link, db);
      VmFailoverConfig failover_config;
      failover_config.self = h;
      failover_config.report_interval = report_interval;
      failover_config.persist_retry = std::chrono::milliseconds(30);
      VmFailoverListener listener;
      listener.needs_coordinator = [this, h](std::uint64_t term) {
        // The pool database is in memory: loaded at once.
        hosts[h].failover->start_coordinator(term, db.snapshot());
      };
      listener.fenced = [&host](const failover::FencedHost& f) { host.fenced.push_back(f); };
      host.failover = std::make_unique<VmFailover>(failover_config, io.get_executor(), clock,
                                                   *host.driver, *host.sender, db, listener);
    }
  }

  ~PoolFailoverTest() override {
    for (Host& host : hosts) host.server->stop();
    for (Host& host : hosts) host.link.reset();
    for (Host& host : hosts) host.failover.reset();
  }

  void announce(HostIndex h, const wire::Membership& announced, bool taking_part = true) {
    hosts[h].failover->set_membership(
        HostMembership{announced, 1, taking_part, taking_part && announced.master == h});
  }

  // Runs an operator action on the master's coordinator until it is
  // accepted (a host must have reported on the liveset before it takes a VM).
  failover::ApiResult act_until_accepted(const CoordinatorAction& action, HostIndex master = 0) {
    failover::ApiResult last = failover::ApiResult::failure("not answered");
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::optional<failover::ApiResult> answer;
      hosts[master].failover->act(action, [&answer](failover::ApiResult r) { answer = r; });
      EXPECT_TRUE(run_until(io, [&] { return answer.has_value(); }));
      if (!answer) break;
      last = *answer;
      if (last.ok || last.error != "HOST_OFFLINE") break;
      test_support::run_for(io, std::chrono::milliseconds(20));
    }
    return last;
  }

  const failover::VmRecord& record(const std::string& uuid) {
    return hosts[0].failover->coordinator()->vms().at(uuid);
  }

  bool runs_on(HostIndex h, const std::string& uuid) {
    const auto running = hosts[h].driver->running();
    return std::find(running.begin(), running.end(), uuid) != running.end();
  }

  // Declared first: destroyed last, after everything that posts to it.
  asio::io_context io;
  io::MonotonicClock clock;
  AsioScheduler scheduler{io.get_executor(), clock};
  vm::RunLedger ledger;
  MemoryPoolDatabase db;
  std::array<Host, kHosts> hosts;
};

TEST_F(PoolFailoverTest, ProtectedVmRestartsOnASurvivor) {
  const wire::Membership all = liveset(1, {0, 1, 2}, 0);
  for (HostIndex h = 0; h < kHosts; ++h) announce(h, all);
  ASSERT_TRUE(run_until(io, [&] { return hosts[0].failover->coordinator() != nullptr; }));
  EXPECT_EQ(hosts[1].failover->coordinator(), nullptr);

  const failover::ApiResult started = act_until_accepted(
      [](failover::Coordinator& c, TimePoint now) { return c.start_vm(now, kWeb, HostIndex{1}); });
  ASSERT_TRUE(started.ok) << started.error;
  // Answered only once the record is on disk.
  ASSERT_FALSE(db.durable().empty());
  EXPECT_TRUE(db.snapshot().vms.at(kWeb).always_run);
  ASSERT_TRUE(run_until(
      io, [&] { return runs_on(1, kWeb) && record(kWeb).power == failover::VmPower::kRunning; }));
  EXPECT_EQ(record(kWeb).resident_on, 1);

  // h1 fences: its VMs are gone and its engine stops taking part; the others
  // then announce a liveset without it.
  hosts[1].driver->host_stopped();
  announce(1, all, false);
  EXPECT_FALSE(hosts[1].failover->has_agent());
  const wire::Membership survivors = liveset(2, {0, 2}, 0);
  announce(0, survivors);
  announce(2, survivors);

  ASSERT_TRUE(run_until(io, [&] {
    return runs_on(2, kWeb) && record(kWeb).power == failover::VmPower::kRunning &&
           record(kWeb).resident_on == 2;
  }));
  // The record of where it runs reaches the database too (after the VM ran).
  ASSERT_TRUE(run_until(io, [&] { return db.snapshot().vms.at(kWeb).resident_on == 2; }));
  ASSERT_EQ(hosts[0].fenced.size(), 1u);
  EXPECT_EQ(hosts[0].fenced[0].host, 1);
  EXPECT_TRUE(ledger.clashes().empty());
  EXPECT_GE(db.attempts(), db.writes() + 1) << "the failed first write was retried";
  EXPECT_GE(hosts[0].sender->starts_checked(), 2);
  EXPECT_TRUE(hosts[0].sender->violations().empty()) << hosts[0].sender->violations().front();
}

// Hosts report once at each liveset change and then only every minute, so
// a report the new master dropped would hold the restart for a minute.
class RareReportsTest : public PoolFailoverTest {
 protected:
  RareReportsTest() : PoolFailoverTest(std::chrono::seconds(60)) {}
};

// The master h1 crashes. The surviving slave h0 adopts the new liveset first
// and reports to the new master h2 before h2 knows it is master; h2's
// coordinator must still count that report and restart at once.
TEST_F(RareReportsTest, ANewMasterUsesAReportSentBeforeItKnewItWasMaster) {
  const wire::Membership all = liveset(1, {0, 1, 2}, 1);
  for (HostIndex h = 0; h < kHosts; ++h) announce(h, all);
  ASSERT_TRUE(run_until(io, [&] { return hosts[1].failover->coordinator() != nullptr; }));
  const failover::ApiResult started = act_until_accepted(
      [](failover::Coordinator& c, TimePoint now) { return c.start_vm(now, kWeb, HostIndex{1}); },
      1);
  ASSERT_TRUE(started.ok) << started.error;
  ASSERT_TRUE(run_until(io, [&] { return runs_on(1, kWeb); }));

  hosts[1].driver->host_stopped();
  announce(1, all, false);
  const wire::Membership survivors = liveset(2, {0, 2}, 2);
  announce(0, survivors);
  test_support::run_for(io, std::chrono::milliseconds(100));  // h0's report reaches h2
  announce(2, survivors);
  // Well within a report interval (h0 is too small: the VM goes to h2).
  ASSERT_TRUE(run_until(
      io, [&] { return runs_on(2, kWeb); }, std::chrono::seconds(5)))
      << "the restart waited for a periodic report";
  EXPECT_TRUE(ledger.clashes().empty());
}

TEST_F(PoolFailoverTest, HostThatStoppedTakingPartIgnoresCommands) {
  const wire::Membership all = liveset(1, {0, 1, 2}, 0);
  for (HostIndex h = 0; h < kHosts; ++h) announce(h, all);
  ASSERT_TRUE(run_until(io, [&] { return hosts[0].failover->coordinator() != nullptr; }));
  // h1 runs one VM, so it has reported and takes commands.
  ASSERT_TRUE(act_until_accepted([](failover::Coordinator& c, TimePoint now) {
                return c.start_vm(now, kDb, HostIndex{1});
              }).ok);
  ASSERT_TRUE(run_until(io, [&] { return runs_on(1, kDb); }));
  const int before = hosts[1].commands_received;
  EXPECT_GE(before, 1);

  // h1's engine leaves; the liveset it announces still lists it, and the
  // master has not moved on yet, so the master still sends it a start.
  announce(1, all, false);
  EXPECT_FALSE(hosts[1].failover->has_agent());
  ASSERT_TRUE(act_until_accepted([](failover::Coordinator& c, TimePoint now) {
                return c.start_vm(now, kWeb, HostIndex{1});
              }).ok);
  ASSERT_TRUE(run_until(io, [&] { return hosts[1].commands_received > before; }));
  test_support::run_for(io, std::chrono::milliseconds(200));
  EXPECT_FALSE(runs_on(1, kWeb)) << "a host out of HA must not start VMs";
  EXPECT_EQ(ledger.hosts_running(kWeb).size(), 0u);
  EXPECT_TRUE(hosts[0].sender->violations().empty());
}

TEST_F(PoolFailoverTest, ActionsOnAHostThatIsNotMasterAreRefused) {
  const wire::Membership all = liveset(1, {0, 1, 2}, 0);
  for (HostIndex h = 0; h < kHosts; ++h) announce(h, all);
  std::optional<failover::ApiResult> answer;
  hosts[2].failover->act(
      [](failover::Coordinator& c, TimePoint now) { return c.shutdown_vm(now, kWeb); },
      [&answer](failover::ApiResult r) { answer = r; });
  ASSERT_TRUE(run_until(io, [&] { return answer.has_value(); }));
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error, kNotMasterError);
}

}  // namespace
}  // namespace poolha::daemon

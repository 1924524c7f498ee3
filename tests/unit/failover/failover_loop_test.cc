// Agents, coordinators and fake hypervisors exchanging messages through a
// network that drops, repeats and delays them, while hosts crash and reboot,
// the master role moves (with its coordinator rebuilt from the persisted
// database) and guests halt. Whatever happens, no VM runs on two hosts at
// once and no command leaves before the record that allows it; once the
// faults stop, the database matches the hypervisors and protected VMs run.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "failover/coordinator.h"
#include "failover/host_agent.h"
#include "failover_test_support.h"

namespace poolha::failover {
namespace {

// Sanitizer builds run several times slower: a quarter of the seeds.
#ifdef POOLHA_SANITIZED_BUILD
constexpr std::uint64_t kLoopSeeds = 20;
#else
constexpr std::uint64_t kLoopSeeds = 80;
#endif

using testing::kGiB;

constexpr HostIndex kHosts = 4;
constexpr std::uint64_t kHostMemory = 16 * kGiB;

class PoolLoop {
 public:
  explicit PoolLoop(std::uint64_t seed) : rng_(seed) {
    db_.policy.restart_on_internal_shutdown = chance(0.5);
    db_.policy.retry_interval = 30s;
    db_.policy.command_resend = 10s;
    db_.policy.command_timeout = 60s;
    for (HostIndex h = 0; h < kHosts; ++h) {
      db_.hosts.push_back(HostRecord{"host-" + std::to_string(h), kHostMemory, true});
      hosts_.emplace_back();
    }
    auto add = [&](const std::string& uuid, HostIndex on, std::uint64_t gib,
                   RestartPriority priority, std::int64_t order) {
      VmRecord vm = testing::vm_on(uuid, on, gib, priority);
      vm.order = order;
      vm.start_delay = order == 0 ? 3s : Duration{};
      db_.vms.emplace(uuid, vm);
      hosts_[on].domains[uuid] = Domain{vm.memory, false};
    };
    for (int i = 0; i < 8; ++i) {
      add("p" + std::to_string(i), static_cast<HostIndex>(i % kHosts), 2, RestartPriority::kRestart,
          i % 3 - 1);
    }
    add("be0", 1, 1, RestartPriority::kBestEffort, 0);
    add("be1", 2, 1, RestartPriority::kBestEffort, 0);
    add("u0", 3, 1, RestartPriority::kUnprotected, 0);
    add("u1", 0, 1, RestartPriority::kUnprotected, 0);
    for (HostIndex h = 0; h < kHosts; ++h) start_agent(h);
    wire::Membership first = testing::liveset(1, {0, 1, 2, 3}, 0);
    announce(first);
  }

  // Random faults for `length`, then none: every host back, a clean network.
  void run(Duration length, Duration settle) {
    faulty_ = true;
    for (TimePoint t = now_ + 5s; t < now_ + length;
         t += Duration(uniform(5'000'000, 40'000'000))) {
      at(t, [this] { random_fault(); });
    }
    run_until(now_ + length);
    faulty_ = false;
    for (HostIndex h = 0; h < kHosts; ++h) {
      if (!hosts_[h].up) reboot(h);
    }
    run_until(now_ + 30s);
    // One more liveset: every VM gets a fresh round of attempts.
    wire::Membership m = liveset_;
    ++m.epoch;
    announce(m);
    run_until(now_ + settle);
  }

  void check_settled() {
    ASSERT_TRUE(coordinator_) << "a master runs a coordinator";
    for (const auto& [uuid, vm] : coordinator_->vms()) {
      std::vector<HostIndex> where = hosts_running(uuid);
      if (vm.power == VmPower::kRunning) {
        EXPECT_EQ(where, std::vector<HostIndex>{vm.resident_on}) << uuid;
      } else {
        EXPECT_TRUE(where.empty()) << uuid << " runs while the database says halted";
        EXPECT_EQ(vm.scheduled_on, kNoHost) << uuid;
      }
      if (vm.is_protected()) {
        EXPECT_EQ(vm.power, VmPower::kRunning) << uuid << " is protected";
      }
      EXPECT_EQ(db_.vms.at(uuid), vm) << uuid << ": the persisted record lags";
    }
  }

  const std::vector<std::string>& violations() const { return violations_; }

 private:
  struct Domain {
    std::uint64_t memory = 0;
    bool stopping = false;
  };
  struct Host {
    bool up = true;
    std::uint32_t incarnation = 1;
    std::unique_ptr<HostAgent> agent;
    std::uint64_t agent_epoch = 0;
    std::uint64_t tick_token = 0;
    std::map<std::string, Domain> domains;
  };

  // ---- time and randomness ----

  void at(TimePoint when, std::function<void()> action) {
    queue_.emplace(std::make_pair(std::max(when, now_), next_order_++), std::move(action));
  }
  void run_until(TimePoint end) {
    while (!queue_.empty() && queue_.begin()->first.first <= end) {
      auto node = queue_.extract(queue_.begin());
      now_ = node.key().first;
      node.mapped()();
      check_one_instance();
    }
    now_ = end;
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  Duration delay(std::int64_t lo_ms, std::int64_t hi_ms) {
    return Duration(uniform(lo_ms * 1000, hi_ms * 1000));
  }

  // ---- the network ----

  void send(HostIndex from, HostIndex to, std::function<void()> deliver) {
    if (from == to) {
      at(now_, std::move(deliver));
      return;
    }
    if (faulty_ && chance(0.03)) return;
    const int copies = faulty_ && chance(0.02) ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      Duration d = delay(1, 50);
      if (faulty_ && chance(0.02)) d = delay(1'000, 20'000);
      if (faulty_ && chance(0.005)) d = delay(60'000, 120'000);
      // A stalled link holds what is sent over it and delivers it later.
      auto stall = stalled_until_.find({from, to});
      if (stall != stalled_until_.end() && stall->second > now_) {
        d = (stall->second - now_) + delay(1, 500);
      }
      at(now_ + d, deliver);
    }
  }

  // ---- hosts, agents and hypervisors ----

  void start_agent(HostIndex h) {
    Host& host = hosts_[h];
    host.agent = std::make_unique<HostAgent>(AgentConfig{h, host.incarnation, 2s});
    host.agent_epoch = 0;
    pump_agent(h);
  }

  std::vector<HostIndex> hosts_running(const std::string& uuid) const {
    std::vector<HostIndex> out;
    for (HostIndex h = 0; h < kHosts; ++h) {
      if (hosts_[h].up && hosts_[h].domains.contains(uuid)) out.push_back(h);
    }
    return out;
  }

  void check_one_instance() {
    for (const auto& [uuid, vm] : db_.vms) {
      const auto where = hosts_running(uuid);
      if (where.size() > 1) {
        violations_.push_back(uuid + " runs on h" + std::to_string(where[0]) + " and h" +
                              std::to_string(where[1]) + " at " +
                              std::to_string(to_us(now_) / 1'000'000) + " s");
      }
    }
  }

  void pump_agent(HostIndex h) {
    Host& host = hosts_[h];
    if (!host.up || !host.agent) return;
    std::vector<std::string> running;
    for (const auto& [uuid, d] : host.domains) running.push_back(uuid);
    host.agent->tick(now_, running);
    AgentReady ready = host.agent->take_ready();
    for (const DriverOp& op : ready.driver_ops) run_driver_op(h, op);
    for (auto& [to, result] : ready.results) {
      send(h, to, [this, to = to, result = result] {
        if (!coordinator_ || coordinator_host_ != to) return;
        coordinator_->receive(now_, result);
        pump_coordinator();
      });
    }
    if (ready.report) {
      const auto [to, report] = *ready.report;
      send(h, to, [this, to = to, report = report] {
        if (!coordinator_ || coordinator_host_ != to) return;
        coordinator_->receive(now_, report);
        pump_coordinator();
      });
    }
    const std::uint64_t token = ++host.tick_token;
    const std::uint32_t inc = host.incarnation;
    at(host.agent->next_wakeup(), [this, h, token, inc] {
      if (hosts_[h].tick_token == token && hosts_[h].incarnation == inc) pump_agent(h);
    });
  }

  void driver_done(HostIndex h, std::uint32_t inc, std::uint64_t id, bool ok, std::string error,
                   Duration after) {
    at(now_ + after, [this, h, inc, id, ok, error] {
      Host& host = hosts_[h];
      if (!host.up || host.incarnation != inc || !host.agent) return;
      host.agent->driver_done(now_, id, vm::VmResult{ok, error});
      pump_agent(h);
    });
  }

  void run_driver_op(HostIndex h, const DriverOp& op) {
    Host& host = hosts_[h];
    const std::uint32_t inc = host.incarnation;
    const std::string uuid = op.vm.uuid;
    if (!executed_.emplace(h, inc, op.id, op.kind == VmCommand::Kind::kStart, uuid).second) {
      violations_.push_back("command " + std::to_string(op.id) + " for " + uuid + " ran twice");
    }
    if (op.kind == VmCommand::Kind::kStop) {
      auto it = host.domains.find(uuid);
      if (it == host.domains.end() || it->second.stopping) {
        driver_done(h, inc, op.id, false, "VM_BAD_POWER_STATE", 10ms);
        return;
      }
      it->second.stopping = true;
      at(now_ + delay(500, 3000), [this, h, inc, uuid, id = op.id] {
        Host& again = hosts_[h];
        if (!again.up || again.incarnation != inc) return;
        again.domains.erase(uuid);
        driver_done(h, inc, id, true, {}, Duration{});
      });
      return;
    }
    std::uint64_t in_use = 0;
    for (const auto& [other, d] : host.domains) in_use += d.memory;
    if (host.domains.contains(uuid)) {
      driver_done(h, inc, op.id, false, "VM_BAD_POWER_STATE", 10ms);
    } else if (in_use + op.vm.memory > kHostMemory) {
      driver_done(h, inc, op.id, false, "HOST_NOT_ENOUGH_FREE_MEMORY", 10ms);
    } else if (faulty_ && chance(0.05)) {
      driver_done(h, inc, op.id, false, "VM_START_FAILED", 100ms);
    } else {
      host.domains[uuid] = Domain{op.vm.memory, false};
      at(now_ + delay(2'000, 15'000), [this, h, inc, uuid, id = op.id] {
        Host& again = hosts_[h];
        if (!again.up || again.incarnation != inc) return;
        auto it = again.domains.find(uuid);
        const bool alive = it != again.domains.end() && !it->second.stopping;
        driver_done(h, inc, id, alive, alive ? "" : "VM_START_FAILED: halted while booting",
                    Duration{});
      });
    }
  }

  // ---- the master ----

  void pump_coordinator() {
    if (!coordinator_) return;
    CoordinatorReady ready = coordinator_->take_ready();
    for (const VmRecord& r : ready.records) db_.vms[r.uuid] = r;  // persisted...
    if (ready.status) db_.status = *ready.status;
    for (const auto& [to, command] : ready.commands) {  // ...before anything is sent
      const VmRecord& r = db_.vms.at(command.vm.uuid);
      const bool allowed = command.kind == VmCommand::Kind::kStart
                               ? r.power == VmPower::kHalted && r.scheduled_on == to
                               : r.power == VmPower::kRunning && r.resident_on == to;
      if (!allowed) violations_.push_back("a command for " + r.uuid + " left before its record");
    }
    const HostIndex self = coordinator_host_;
    for (const auto& [to, ack] : ready.acks) {
      send(self, to, [this, to = to, ack = ack] {
        if (!hosts_[to].up || !hosts_[to].agent) return;
        hosts_[to].agent->receive(now_, ack);
        pump_agent(to);
      });
    }
    for (const auto& [to, command] : ready.commands) {
      send(self, to, [this, to = to, command = command] {
        if (!hosts_[to].up || !hosts_[to].agent) return;
        hosts_[to].agent->receive(now_, command);
        pump_agent(to);
      });
    }
    const std::uint64_t life = coordinator_life_;
    at(coordinator_->next_wakeup(), [this, life] {
      if (!coordinator_ || coordinator_life_ != life) return;
      coordinator_->tick(now_);
      pump_coordinator();
    });
  }

  // The engines agreed on `m`: the coordinator follows at once (a new one is
  // built from the database if the master changed), each agent a little later.
  void announce(const wire::Membership& m) {
    liveset_ = m;
    if (coordinator_ && coordinator_host_ == m.master) {
      ++coordinator_life_;
      coordinator_->set_liveset(now_, m);
      pump_coordinator();
    } else {
      coordinator_.reset();
      const std::uint64_t life = ++coordinator_life_;
      at(now_ + delay(100, 2'000), [this, life] {
        if (coordinator_life_ != life) return;
        const HostIndex master = liveset_.master;
        if (!hosts_[master].up) return;  // its removal is on its way
        coordinator_ =
            std::make_unique<Coordinator>(master, liveset_.incarnation[master], db_, now_);
        coordinator_host_ = master;
        coordinator_->set_liveset(now_, liveset_);
        pump_coordinator();
      });
    }
    for (HostIndex h = 0; h < kHosts; ++h) {
      if (!hosts_[h].up) continue;
      const std::uint32_t inc = hosts_[h].incarnation;
      at(now_ + delay(0, 2'000), [this, h, inc, m] {
        Host& host = hosts_[h];
        if (!host.up || host.incarnation != inc || m.epoch <= host.agent_epoch) return;
        host.agent_epoch = m.epoch;
        host.agent->set_liveset(now_, m);
        pump_agent(h);
      });
    }
  }

  void crash(HostIndex h) {
    Host& host = hosts_[h];
    host.up = false;
    host.domains.clear();
    host.agent.reset();
    if (coordinator_ && coordinator_host_ == h) {
      coordinator_.reset();
      ++coordinator_life_;
    }
    // Announced only once the host has surely stopped; here it stopped at once.
    const std::uint32_t inc = host.incarnation;
    at(now_ + delay(0, 3'000), [this, h, inc] {
      if (!liveset_.contains(h, inc)) return;
      wire::Membership m = liveset_;
      ++m.epoch;
      m.members.erase(h);
      if (m.master == h) {
        const std::vector<HostIndex> up = members_up();
        for (HostIndex other : up) {
          if (other != h) {
            m.master = other;
            break;
          }
        }
      }
      announce(m);
    });
  }

  void reboot(HostIndex h) {
    Host& host = hosts_[h];
    host.up = true;
    ++host.incarnation;
    start_agent(h);
    const std::uint32_t inc = host.incarnation;
    at(now_ + delay(1'000, 5'000), [this, h, inc] {
      if (!hosts_[h].up || hosts_[h].incarnation != inc) return;
      wire::Membership m = liveset_;
      ++m.epoch;
      m.members.insert(h);
      m.incarnation[h] = inc;
      announce(m);
    });
  }

  std::vector<HostIndex> members_up() const {
    std::vector<HostIndex> out;
    liveset_.members.for_each([&](HostIndex h) {
      if (hosts_[h].up) out.push_back(h);
    });
    return out;
  }

  template <typename T>
  const T& pick(const std::vector<T>& from) {
    return from[static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(from.size()) - 1))];
  }

  void random_fault() {
    const std::vector<HostIndex> up = members_up();
    std::vector<HostIndex> down;
    for (HostIndex h = 0; h < kHosts; ++h) {
      if (!hosts_[h].up) down.push_back(h);
    }
    std::vector<std::string> uuids;
    for (const auto& [uuid, vm] : db_.vms) uuids.push_back(uuid);
    switch (uniform(0, 7)) {
      case 0:
        if (up.size() >= 3) crash(pick(up));
        break;
      case 1:
        if (!down.empty()) reboot(pick(down));
        break;
      case 2: {
        if (up.size() < 2 || !coordinator_) break;
        wire::Membership m = liveset_;
        ++m.epoch;
        while (m.master == liveset_.master) m.master = pick(up);
        announce(m);
        break;
      }
      case 3:
      case 4: {
        std::vector<std::pair<HostIndex, std::string>> running;
        for (HostIndex h = 0; h < kHosts; ++h) {
          for (const auto& [uuid, d] : hosts_[h].domains) {
            if (hosts_[h].up && !d.stopping) running.emplace_back(h, uuid);
          }
        }
        if (running.empty()) break;
        const auto [h, uuid] = pick(running);
        hosts_[h].domains.erase(uuid);
        hosts_[h].agent->halted(
            now_, uuid, chance(0.5) ? vm::HaltCause::kGuestShutdown : vm::HaltCause::kGuestCrash);
        pump_agent(h);
        break;
      }
      case 5:
        if (coordinator_) {
          coordinator_->shutdown_vm(now_, pick(uuids));
          pump_coordinator();
        }
        break;
      case 6:
        if (coordinator_) {
          coordinator_->start_vm(now_, pick(uuids), std::nullopt);
          pump_coordinator();
        }
        break;
      case 7:
        // Commands from the master to one host stall (a TCP connection that
        // stops moving and resumes), its reports keep flowing.
        if (!up.empty())
          stalled_until_[{liveset_.master, pick(up)}] = now_ + delay(30'000, 150'000);
        break;
    }
  }

  std::mt19937_64 rng_;
  TimePoint now_ = testing::seconds(0);
  std::map<std::pair<TimePoint, std::uint64_t>, std::function<void()>> queue_;
  std::uint64_t next_order_ = 0;
  bool faulty_ = false;
  std::vector<Host> hosts_;
  PoolSnapshot db_;
  wire::Membership liveset_;
  std::unique_ptr<Coordinator> coordinator_;
  HostIndex coordinator_host_ = kNoHost;
  std::uint64_t coordinator_life_ = 0;
  std::vector<std::string> violations_;
  std::map<std::pair<HostIndex, HostIndex>, TimePoint> stalled_until_;
  std::set<std::tuple<HostIndex, std::uint32_t, std::uint64_t, bool, std::string>> executed_;
};

TEST(FailoverLoop, NoVmRunsTwiceAndProtectedVmsComeBack) {
  for (std::uint64_t seed = 1; seed <= kLoopSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    PoolLoop loop(seed);
    loop.run(30min, 15min);
    for (std::size_t i = 0; i < loop.violations().size() && i < 5; ++i) {
      ADD_FAILURE() << loop.violations()[i];
    }
    loop.check_settled();
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace poolha::failover

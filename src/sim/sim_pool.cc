#include "sim/sim_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "common/units.h"
#include "sim/simulator.h"

namespace poolha::sim {
namespace {

constexpr std::uint64_t kDefaultHostMemoryMib = 65536;
// Retry a metadata write or load this long after the storage path failed it.
constexpr Duration kStorageRetry = 1s;

std::string vm_uuid(std::size_t i) {
  return fmt::format("00000000-0000-4000-8000-{:012d}", i + 1);
}

failover::RestartPriority priority_of(VmPriority p) {
  switch (p) {
    case VmPriority::kRestart:
      return failover::RestartPriority::kRestart;
    case VmPriority::kBestEffort:
      return failover::RestartPriority::kBestEffort;
    case VmPriority::kUnprotected:
      return failover::RestartPriority::kUnprotected;
  }
  return failover::RestartPriority::kUnprotected;
}

}  // namespace

class SimPool::Scheduler final : public vm::Scheduler {
 public:
  explicit Scheduler(Simulator& sim) : sim_(sim) {}
  std::int64_t now_us() const override { return us_of(sim_.now()); }
  void after(Duration delay, std::function<void()> work) override {
    sim_.at(sim_.now() + delay, std::move(work));
  }

 private:
  Simulator& sim_;
};

struct SimPool::HostState {
  std::unique_ptr<vm::SimVmDriver> driver;
  std::uint32_t incarnation = 0;  // of the daemon the agent and coordinator belong to
  std::unique_ptr<failover::HostAgent> agent;
  wire::Membership agent_liveset;
  std::uint64_t agent_tick_token = 0;

  std::unique_ptr<failover::Coordinator> coordinator;
  wire::Membership coordinator_liveset;
  std::uint64_t coordinator_life = 0;  // callbacks of an earlier coordinator are ignored
  std::uint64_t coordinator_tick_token = 0;
  bool loading = false;

  struct Outgoing {
    MetadataWrite write;
    std::vector<std::pair<HostIndex, failover::VmCommand>> commands;
  };
  std::deque<Outgoing> outbox;  // persisted in order; commands go once their write is on disk
  bool persisting = false;
};

SimPool::SimPool(Simulator& sim, SimPoolConfig config)
    : sim_(sim),
      config_(std::move(config)),
      scheduler_(std::make_unique<Scheduler>(sim)),
      metadata_(failover::PoolSnapshot{}) {
  const std::uint16_t n = sim_.host_count();
  failover::PoolSnapshot initial;
  initial.policy = config_.policy;
  for (HostIndex h = 0; h < n; ++h) {
    const std::uint64_t mib =
        h < config_.host_memory_mib.size() ? config_.host_memory_mib[h] : kDefaultHostMemoryMib;
    initial.hosts.push_back(failover::HostRecord{fmt::format("h{}", h), mib * kMiB, true});
    auto state = std::make_unique<HostState>();
    state->driver =
        std::make_unique<vm::SimVmDriver>(h, mib * kMiB, *scheduler_, ledger_, config_.vm_timing);
    hosts_.push_back(std::move(state));
  }
  for (std::size_t i = 0; i < config_.vms.size(); ++i) {
    const VmSpec& spec = config_.vms[i];
    POOLHA_CHECK(spec.host < n, "a VM declared on a host of the pool");
    failover::VmRecord r;
    r.uuid = vm_uuid(i);
    r.name = spec.name;
    r.memory = spec.memory_mib * kMiB;
    r.priority = priority_of(spec.priority);
    r.order = spec.order;
    r.start_delay = spec.start_delay;
    r.always_run = r.priority == failover::RestartPriority::kRestart;
    r.power = failover::VmPower::kRunning;
    r.resident_on = spec.host;
    vm_names_.push_back(spec.name);
    // Declared VMs already run when the simulation starts.
    hosts_[spec.host]->driver->start(vm::VmConfig{r.uuid, r.name, r.memory}, [](vm::VmResult) {});
    initial.vms.emplace(r.uuid, std::move(r));
  }
  metadata_ = MetadataArea(std::move(initial));
  for (HostIndex h = 0; h < n; ++h) {
    state(h).driver->set_halt_listener([this, h](const std::string& uuid, vm::HaltCause cause) {
      HostState& s = state(h);
      log(h, fmt::format("{} halts from inside the guest ({})", name_of(uuid),
                         cause == vm::HaltCause::kGuestShutdown ? "shutdown" : "crash"));
      if (!s.agent || !sim_.host(h).running()) return;
      s.agent->halted(sim_.local_time(h), uuid, cause);
      pump_agent(h);
    });
  }
}

SimPool::~SimPool() = default;

// ---- hooks ----------------------------------------------------------------------

void SimPool::host_started(HostIndex h) {
  HostState& s = state(h);
  s.incarnation = sim_.host(h).incarnation;
  s.agent = std::make_unique<failover::HostAgent>(failover::AgentConfig{h, s.incarnation, 2s});
  s.agent_liveset = wire::Membership{};
  schedule_agent_tick(h);
}

void SimPool::host_lost_power(HostIndex h) {
  HostState& s = state(h);
  if (s.persisting && !s.outbox.empty()) {
    // The master died in the middle of a metadata write: part of it may be on
    // disk, none of it acknowledged, and none of its commands sent.
    const TornCommit torn = metadata_.commit_torn(
        s.outbox.front().write, h, static_cast<std::uint64_t>(us_of(sim_.now())) ^ h);
    log(h, fmt::format("pool database write torn by the power loss ({} of {} writes landed)",
                       torn.completed_writes, torn.planned_writes));
  }
  const auto before = s.driver->running();
  s.driver->host_stopped();
  if (!before.empty()) log(h, fmt::format("{} VMs stopped with the host", before.size()));
  daemon_stopped(h);
}

void SimPool::daemon_stopped(HostIndex h) {
  HostState& s = state(h);
  s.agent.reset();
  ++s.agent_tick_token;
  s.coordinator.reset();
  ++s.coordinator_life;
  s.loading = false;
  s.outbox.clear();
  s.persisting = false;
}

void SimPool::engine_stepped(HostIndex h) {
  const SimHost& host = sim_.host(h);
  if (!host.running() || !host.engine) return;
  HostState& s = state(h);
  const ha::Engine& engine = *host.engine;
  if (engine.phase() == wire::Phase::kLeft && !s.driver->running().empty()) {
    // `leave` shuts the host down: its domains are gone before any peer can
    // see it left (its packets are still on the wire at this instant).
    log(h, fmt::format("shuts down after leaving: {} VMs stopped", s.driver->running().size()));
    s.driver->host_stopped();
  }
  const bool ha_over = engine.phase() == wire::Phase::kLeft ||
                       engine.phase() == wire::Phase::kDisabled ||
                       engine.phase() == wire::Phase::kFenced;
  if (ha_over && s.agent) {
    // The daemon stops taking part: a command still on its way from the
    // master of the liveset it left must find nobody to start a VM, since
    // the others now count every VM of this host as stopped.
    log(h, "VM agent stops: the host no longer takes part in HA");
    s.agent.reset();
    ++s.agent_tick_token;
  }
  const wire::Membership& announced = engine.announced();
  if (s.agent && !announced.same_as(s.agent_liveset)) {
    s.agent_liveset = announced;
    s.agent->set_liveset(sim_.local_time(h), announced);
    pump_agent(h);
  }
  const bool master = engine.is_master() && engine.phase() == wire::Phase::kMember &&
                      announced.master == h && announced.contains(h, host.incarnation);
  if (!master) {
    if (s.coordinator || s.loading) {
      log(h, "failover coordinator stops (no longer master)");
      s.coordinator.reset();
      ++s.coordinator_life;
      s.loading = false;
      s.outbox.clear();
      s.persisting = false;
    }
    return;
  }
  if (!s.coordinator) {
    if (!s.loading) begin_load(h);
    return;
  }
  if (!announced.same_as(s.coordinator_liveset)) {
    s.coordinator_liveset = announced;
    s.coordinator->set_liveset(sim_.local_time(h), announced);
    pump_coordinator(h);
  }
}

void SimPool::after_event() {
  const auto& clashes = ledger_.clashes();
  while (clashes_seen_ < clashes.size()) {
    sim_.violation("(f) one VM instance", clashes[clashes_seen_]);
    ++clashes_seen_;
  }
}

void SimPool::check_settled() {
  const failover::Coordinator* master = coordinator_of_master();
  if (!master) {
    if (sim_.current_master()) {
      sim_.violation("(g) VMs settled", "the master runs no failover coordinator");
    }
    return;
  }
  // Free memory of the live hosts as their hypervisors see it.
  std::vector<std::uint64_t> free;
  master->liveset().members.for_each([&](HostIndex h) {
    const auto& d = *state(h).driver;
    free.push_back(d.memory_capacity() - d.memory_in_use());
  });
  std::size_t problems = 0;
  for (const auto& [uuid, vm] : master->vms()) {
    const auto where = ledger_.hosts_running(uuid);
    if (!vm.is_protected() || !where.empty()) continue;
    const bool room = std::any_of(free.begin(), free.end(),
                                  [need = vm.memory](std::uint64_t f) { return f >= need; });
    if (!room) {
      sim_.note(fmt::format("{} is down: no live host has {} MiB free", vm.name, vm.memory / kMiB));
      continue;
    }
    ++problems;
    sim_.violation(
        "(g) VMs settled",
        fmt::format("protected VM {} runs nowhere although a live host has room", vm.name));
  }
  if (problems == 0) sim_.note("settle check ok: every protected VM runs (or cannot fit)");
}

// ---- scenario actions ---------------------------------------------------------------

void SimPool::api(
    const std::string& what,
    const std::function<failover::ApiResult(failover::Coordinator&, TimePoint)>& action) {
  const auto master = sim_.current_master();
  failover::Coordinator* c = master ? state(*master).coordinator.get() : nullptr;
  if (!c) {
    sim_.note(fmt::format("{}: refused, no master runs a failover coordinator", what));
    refusals_.push_back("HOST_IS_SLAVE");
    return;
  }
  const failover::ApiResult r = action(*c, sim_.local_time(*master));
  sim_.note(fmt::format("{}: {}", what, r.ok ? "accepted" : r.error));
  if (!r.ok) refusals_.push_back(r.error);
  pump_coordinator(*master);
}

void SimPool::start_vm(const std::string& name, std::optional<HostIndex> on) {
  api("vm-start " + name,
      [&](failover::Coordinator& c, TimePoint now) { return c.start_vm(now, uuid_of(name), on); });
}

void SimPool::shutdown_vm(const std::string& name) {
  api("vm-shutdown " + name,
      [&](failover::Coordinator& c, TimePoint now) { return c.shutdown_vm(now, uuid_of(name)); });
}

void SimPool::set_restart_priority(const std::string& name, failover::RestartPriority priority) {
  api("vm-set-priority " + name, [&](failover::Coordinator& c, TimePoint now) {
    return c.set_restart_priority(now, uuid_of(name), priority);
  });
}

void SimPool::set_failures_to_tolerate(std::uint32_t target) {
  api(fmt::format("pool-set failures-to-tolerate={}", target),
      [&](failover::Coordinator& c, TimePoint now) {
        return c.set_failures_to_tolerate(now, target);
      });
}

std::optional<failover::PlanStatus> SimPool::plan_status() const {
  const failover::Coordinator* c = coordinator_of_master();
  if (!c) return std::nullopt;
  return c->status();
}

void SimPool::guest_halt(const std::string& name, vm::HaltCause cause) {
  const std::string uuid = uuid_of(name);
  for (HostIndex h : ledger_.hosts_running(uuid)) state(h).driver->guest_halt(uuid, cause);
}

void SimPool::fail_starts(HostIndex h, std::uint32_t count) {
  state(h).driver->fail_next_starts(count);
}

void SimPool::evacuate(HostIndex h) {
  HostState& s = state(h);
  const auto running = s.driver->running();
  if (running.empty()) return;
  log(h, fmt::format("evacuation: {} VMs shut down before it leaves", running.size()));
  s.driver->host_stopped();
}

// ---- the agent ----------------------------------------------------------------------

void SimPool::pump_agent(HostIndex h) {
  HostState& s = state(h);
  if (!s.agent) return;
  s.agent->tick(sim_.local_time(h), s.driver->running());
  failover::AgentReady ready = s.agent->take_ready();
  const std::uint32_t inc = s.incarnation;
  for (failover::DriverOp& op : ready.driver_ops) {
    auto done = [this, h, inc, id = op.id](vm::VmResult result) {
      HostState& hs = state(h);
      // A hung daemon misses the answer; its next report tells the master.
      if (!host_running(h, inc) || !hs.agent) return;
      hs.agent->driver_done(sim_.local_time(h), id, result);
      pump_agent(h);
    };
    if (op.kind == failover::VmCommand::Kind::kStart) {
      s.driver->start(op.vm, std::move(done));
    } else {
      s.driver->stop(op.vm.uuid, std::move(done));
    }
  }
  for (auto& [to, result] : ready.results) {
    to_coordinator(h, to, std::move(result));
  }
  if (ready.report) {
    auto [to, report] = std::move(*ready.report);
    to_coordinator(h, to, std::move(report));
  }
  schedule_agent_tick(h);
}

void SimPool::schedule_agent_tick(HostIndex h) {
  HostState& s = state(h);
  if (!s.agent) return;
  const std::uint64_t token = ++s.agent_tick_token;
  const VirtualTime at = std::max(sim_.virtual_time_of(h, s.agent->next_wakeup()), sim_.now());
  sim_.at(at, [this, h, token] {
    HostState& hs = state(h);
    if (hs.agent_tick_token != token || !hs.agent) return;
    if (!sim_.host(h).running()) {
      // Hung: try again later; the daemon does nothing meanwhile.
      sim_.at(sim_.now() + 1s, [this, h, token] {
        if (state(h).agent_tick_token == token) pump_agent(h);
      });
      return;
    }
    pump_agent(h);
  });
}

// ---- the coordinator --------------------------------------------------------------

void SimPool::begin_load(HostIndex h) {
  HostState& s = state(h);
  s.loading = true;
  const std::uint64_t life = s.coordinator_life;
  const PathState path = sim_.storage().path(h);
  const Duration latency = sim_.storage().latency(h).latency;
  if (path != PathState::kUp) {
    sim_.at(sim_.now() + kStorageRetry, [this, h, life] {
      HostState& hs = state(h);
      if (hs.coordinator_life != life || !hs.loading) return;
      hs.loading = false;
      engine_stepped(h);
    });
    return;
  }
  sim_.at(sim_.now() + latency, [this, h, life] {
    HostState& hs = state(h);
    if (hs.coordinator_life != life || !hs.loading) return;
    hs.loading = false;
    const SimHost& host = sim_.host(h);
    if (!host.running() || !host.engine || !host.engine->is_master()) return;
    std::uint64_t generation = 0;
    failover::PoolSnapshot snapshot = metadata_.load(&generation);
    if (generation < metadata_.acknowledged()) {
      sim_.violation("(h) database", fmt::format("h{} loaded generation {} but {} was acknowledged",
                                                 h, generation, metadata_.acknowledged()));
    }
    log(h, fmt::format("failover coordinator starts: pool database generation {}", generation));
    hs.coordinator = std::make_unique<failover::Coordinator>(
        h, host.incarnation, std::move(snapshot), sim_.local_time(h));
    hs.coordinator_liveset = wire::Membership{};
    engine_stepped(h);
    pump_coordinator(h);
  });
}

void SimPool::pump_coordinator(HostIndex h) {
  HostState& s = state(h);
  if (!s.coordinator) return;
  failover::CoordinatorReady ready = s.coordinator->take_ready();
  for (const std::string& text : ready.notes) log(h, "· " + text);
  for (const failover::Alert& a : ready.alerts) sim_.record_alert(h, a.name, a.text);
  for (const failover::FencedHost& f : ready.fenced) {
    log(h, fmt::format("event: h{} confirmed fenced (epoch {})", f.host, f.epoch));
  }
  for (auto& [to, ack] : ready.acks) {
    to_agent(h, to, ack);
  }
  if (!ready.records.empty() || ready.status || !ready.commands.empty()) {
    s.outbox.push_back(HostState::Outgoing{MetadataWrite{std::move(ready.records), ready.status},
                                           std::move(ready.commands)});
    persist_next(h);
  }
  schedule_coordinator_tick(h);
}

void SimPool::persist_next(HostIndex h) {
  HostState& s = state(h);
  if (s.persisting || s.outbox.empty()) return;
  s.persisting = true;
  const std::uint64_t life = s.coordinator_life;
  const bool up = sim_.storage().path(h) == PathState::kUp;
  const Duration delay = up ? sim_.storage().latency(h).latency : kStorageRetry;
  sim_.at(sim_.now() + delay, [this, h, life, up] {
    HostState& hs = state(h);
    if (hs.coordinator_life != life || !hs.persisting) return;
    hs.persisting = false;
    if (!up || !sim_.host(h).alive()) {
      persist_next(h);  // the metadata write failed: try again
      return;
    }
    HostState::Outgoing out = std::move(hs.outbox.front());
    hs.outbox.pop_front();
    metadata_.commit(out.write, h);
    // On disk: now the hosts may be told.
    for (auto& [to, command] : out.commands) {
      to_agent(h, to, std::move(command));
    }
    persist_next(h);
  });
}

void SimPool::schedule_coordinator_tick(HostIndex h) {
  HostState& s = state(h);
  if (!s.coordinator) return;
  const std::uint64_t token = ++s.coordinator_tick_token;
  const std::uint64_t life = s.coordinator_life;
  const VirtualTime at =
      std::max(sim_.virtual_time_of(h, s.coordinator->next_wakeup()), sim_.now());
  sim_.at(at, [this, h, token, life] {
    HostState& hs = state(h);
    if (hs.coordinator_tick_token != token || hs.coordinator_life != life || !hs.coordinator)
      return;
    if (!sim_.host(h).running()) {
      sim_.at(sim_.now() + 1s, [this, h, token, life] {
        HostState& again = state(h);
        if (again.coordinator_tick_token != token || again.coordinator_life != life) return;
        if (again.coordinator && sim_.host(h).running()) {
          again.coordinator->tick(sim_.local_time(h));
          pump_coordinator(h);
        } else if (again.coordinator) {
          schedule_coordinator_tick(h);
        }
      });
      return;
    }
    hs.coordinator->tick(sim_.local_time(h));
    pump_coordinator(h);
  });
}

// ---- helpers ------------------------------------------------------------------------

template <typename Message>
void SimPool::to_agent(HostIndex from, HostIndex to, Message message) {
  send(from, to, [this, to, message = std::move(message)] {
    HostState& a = state(to);
    if (!a.agent || !sim_.host(to).running()) return;  // dropped, like a packet
    a.agent->receive(sim_.local_time(to), message);
    pump_agent(to);
  });
}

template <typename Message>
void SimPool::to_coordinator(HostIndex from, HostIndex to, Message message) {
  send(from, to, [this, to, message = std::move(message)] {
    HostState& m = state(to);
    if (!m.coordinator || !sim_.host(to).running()) return;
    m.coordinator->receive(sim_.local_time(to), message);
    pump_coordinator(to);
  });
}

void SimPool::send(HostIndex from, HostIndex to, std::function<void()> deliver) {
  if (from == to) {
    sim_.at(sim_.now(), std::move(deliver));
    return;
  }
  const auto delay = sim_.route(from, to);
  if (!delay) return;
  sim_.at(sim_.now() + *delay, std::move(deliver));
}

failover::Coordinator* SimPool::coordinator_of_master() {
  const auto master = sim_.current_master();
  if (!master) return nullptr;
  return state(*master).coordinator.get();
}

const failover::Coordinator* SimPool::coordinator_of_master() const {
  const auto master = sim_.current_master();
  if (!master) return nullptr;
  return hosts_[*master]->coordinator.get();
}

bool SimPool::host_running(HostIndex h, std::uint32_t incarnation) const {
  return sim_.host(h).running() && sim_.host(h).incarnation == incarnation;
}

std::vector<HostIndex> SimPool::hosts_running(const std::string& name) const {
  std::vector<HostIndex> out;
  for (auto h : ledger_.hosts_running(uuid_of(name))) out.push_back(h);
  return out;
}

bool SimPool::knows_vm(const std::string& name) const {
  return std::find(vm_names_.begin(), vm_names_.end(), name) != vm_names_.end();
}

std::string SimPool::uuid_of(const std::string& name) const {
  for (std::size_t i = 0; i < vm_names_.size(); ++i) {
    if (vm_names_[i] == name) return vm_uuid(i);
  }
  return name;
}

std::string SimPool::name_of(const std::string& uuid) const {
  for (std::size_t i = 0; i < vm_names_.size(); ++i) {
    if (vm_uuid(i) == uuid) return vm_names_[i];
  }
  return uuid;
}

void SimPool::log(HostIndex h, const std::string& text) {
  sim_.log_host(h, text);
}

}  // namespace poolha::sim

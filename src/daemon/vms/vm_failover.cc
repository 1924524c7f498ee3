#include "daemon/vms/vm_failover.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/check.h"

namespace poolha::daemon {
namespace {

const char* kind_name(failover::VmCommand::Kind kind) {
  return kind == failover::VmCommand::Kind::kStart ? "start" : "stop";
}

}  // namespace

bool takes_part(wire::Phase phase) {
  return phase != wire::Phase::kLeft && phase != wire::Phase::kDisabled &&
         phase != wire::Phase::kFenced;
}

VmFailover::VmFailover(VmFailoverConfig config, asio::any_io_executor loop, const io::Clock& clock,
                       vm::VmDriver& driver, PeerSender& sender, CoordinatorPersister& persister,
                       VmFailoverListener listener)
    : config_(config),
      loop_(loop),
      clock_(clock),
      driver_(driver),
      sender_(sender),
      persister_(persister),
      listener_(std::move(listener)),
      agent_timer_(loop, clock),
      coordinator_timer_(loop, clock),
      load_retry_timer_(loop, clock),
      persist_retry_timer_(loop, clock) {
  if (config_.self >= kMaxHosts)
    throw std::invalid_argument("VM failover: self is not a host index");
  if (!listener_.needs_coordinator) {
    throw std::invalid_argument("VM failover: a needs_coordinator listener is required");
  }
  driver_.set_halt_listener(
      [this, alive = std::weak_ptr<int>(alive_)](const std::string& uuid, vm::HaltCause cause) {
        if (alive.lock()) halted(uuid, cause);
      });
}

VmFailover::~VmFailover() {
  driver_.set_halt_listener({});
}

// ---- membership -----------------------------------------------------------------

void VmFailover::set_membership(const HostMembership& membership) {
  membership_ = membership;
  update_agent(membership);
  update_coordinator(membership);
}

void VmFailover::update_agent(const HostMembership& m) {
  if (!m.taking_part) {
    // A command still on its way from the master of the liveset this host
    // left must find nobody to run it: the others count its VMs as stopped.
    if (agent_) drop_agent("the host no longer takes part in HA");
    return;
  }
  if (agent_ && agent_incarnation_ != m.incarnation) {
    drop_agent(fmt::format("a new engine incarnation {}", m.incarnation));
  }
  bool changed = false;
  if (!agent_) {
    changed = true;
    POOLHA_CHECK(m.incarnation > ended_incarnation_,
                 "an engine incarnation that stopped taking part never takes part again");
    agent_ = std::make_unique<failover::HostAgent>(
        failover::AgentConfig{config_.self, m.incarnation, config_.report_interval});
    agent_incarnation_ = m.incarnation;
    agent_liveset_ = wire::Membership{};
    spdlog::info("VM agent starts (incarnation {})", m.incarnation);
  }
  if (!m.announced.same_as(agent_liveset_)) {
    changed = true;
    agent_liveset_ = m.announced;
    agent_->set_liveset(clock_.now(), m.announced);
  }
  if (changed) pump_agent();
}

void VmFailover::update_coordinator(const HostMembership& m) {
  const bool master = m.taking_part && m.master && m.announced.master == config_.self &&
                      m.announced.contains(config_.self, m.incarnation);
  if (!master) {
    stop_coordinator("no longer master");
    return;
  }
  if (coordinator_ && coordinator_incarnation_ != m.incarnation) {
    stop_coordinator(fmt::format("a new engine incarnation {}", m.incarnation));
  }
  if (!coordinator_) {
    if (!loading_) request_coordinator();
    return;
  }
  if (!m.announced.same_as(coordinator_liveset_)) {
    coordinator_liveset_ = m.announced;
    coordinator_->set_liveset(clock_.now(), m.announced);
    pump_coordinator();
  }
}

void VmFailover::drop_agent(const std::string& why) {
  spdlog::warn("VM agent stops: {}", why);
  ended_incarnation_ = agent_incarnation_;
  agent_.reset();
  ++agent_life_;
  agent_liveset_ = wire::Membership{};
  agent_timer_.cancel();
}

void VmFailover::stop_coordinator(const std::string& why) {
  if (!coordinator_ && !loading_) return;
  spdlog::warn("failover coordinator stops: {}", why);
  coordinator_.reset();
  ++coordinator_life_;
  loading_ = false;
  coordinator_liveset_ = wire::Membership{};
  coordinator_timer_.cancel();
  load_retry_timer_.cancel();
  persist_retry_timer_.cancel();
  outbox_.clear();
  persisting_ = false;
  persisted_sequence_ = next_sequence_ - 1;
  for (WaitingAnswer& w : waiting_answers_) {
    answer_later(std::move(w.answer), failover::ApiResult::failure(kMasterLostError));
  }
  waiting_answers_.clear();
}

// ---- starting the coordinator -------------------------------------------------------

void VmFailover::request_coordinator() {
  loading_ = true;
  const std::uint64_t term = coordinator_life_;
  spdlog::info("this host is master: the failover coordinator waits for the pool database");
  asio::post(loop_, [this, alive = std::weak_ptr<int>(alive_), term] {
    if (!alive.lock() || !loading_ || term != coordinator_life_) return;
    listener_.needs_coordinator(term);
  });
}

void VmFailover::coordinator_load_failed(std::uint64_t term) {
  if (!loading_ || term != coordinator_life_) return;
  spdlog::warn("failover coordinator: loading the pool database failed; trying again in {} ms",
               std::chrono::duration_cast<std::chrono::milliseconds>(config_.load_retry).count());
  load_retry_timer_.arm_after(config_.load_retry, [this, term] {
    if (loading_ && term == coordinator_life_) listener_.needs_coordinator(term);
  });
}

bool VmFailover::start_coordinator(std::uint64_t term, failover::PoolSnapshot pool) {
  if (!loading_ || term != coordinator_life_) {
    spdlog::info("failover coordinator: a pool database load for an ended mastership is ignored");
    return false;
  }
  loading_ = false;
  load_retry_timer_.cancel();
  spdlog::info("failover coordinator starts: {} hosts, {} VMs", pool.hosts.size(), pool.vms.size());
  coordinator_ = std::make_unique<failover::Coordinator>(config_.self, membership_.incarnation,
                                                         std::move(pool), clock_.now());
  coordinator_incarnation_ = membership_.incarnation;
  coordinator_liveset_ = membership_.announced;
  coordinator_->set_liveset(clock_.now(), membership_.announced);
  for (const failover::HostReport& report : early_reports_.take_all()) {
    coordinator_->receive(clock_.now(), report);
  }
  pump_coordinator();
  return true;
}

// ---- messages and operator actions ----------------------------------------------------

void VmFailover::receive(const PeerMessage& message) {
  std::visit(
      [this](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, failover::VmCommand> ||
                      std::is_same_v<T, failover::ReportAck>) {
          if (!agent_) {
            spdlog::debug("a failover message for the VM agent is dropped: no agent runs");
            return;
          }
          agent_->receive(clock_.now(), m);
          pump_agent();
        } else {
          if (!coordinator_) {
            // A host that adopted a liveset naming this host master a moment
            // before this host did, or while the coordinator loads.
            if constexpr (std::is_same_v<T, failover::HostReport>) {
              early_reports_.keep(m);
              return;
            }
            spdlog::debug("a failover message for the coordinator is dropped: none runs");
            return;
          }
          coordinator_->receive(clock_.now(), m);
          pump_coordinator();
        }
      },
      message);
}

void VmFailover::act(const CoordinatorAction& action, ActionAnswer answer) {
  if (!coordinator_) {
    answer_later(std::move(answer), failover::ApiResult::failure(
                                        loading_ ? kCoordinatorStartingError : kNotMasterError));
    return;
  }
  const failover::ApiResult result = action(*coordinator_, clock_.now());
  pump_coordinator();
  // Whatever the action changed is in the newest write queued now (or an
  // earlier one already carries it).
  const std::uint64_t needed = next_sequence_ - 1;
  if (!result.ok || needed <= persisted_sequence_) {
    answer_later(std::move(answer), result);
    return;
  }
  waiting_answers_.push_back(WaitingAnswer{needed, result, std::move(answer)});
}

void VmFailover::answer_later(ActionAnswer answer, failover::ApiResult result) {
  asio::post(loop_, [answer = std::move(answer), result = std::move(result)] { answer(result); });
}

// ---- the agent ------------------------------------------------------------------------

void VmFailover::halted(const std::string& uuid, vm::HaltCause cause) {
  spdlog::info("VM {} halted from inside the guest ({})", uuid,
               cause == vm::HaltCause::kGuestShutdown ? "shutdown" : "crash");
  if (!agent_) return;
  agent_->halted(clock_.now(), uuid, cause);
  pump_agent();
}

void VmFailover::pump_agent() {
  if (!agent_) return;
  agent_->tick(clock_.now(), driver_.running());
  failover::AgentReady ready = agent_->take_ready();
  const std::uint64_t life = agent_life_;
  for (failover::DriverOp& op : ready.driver_ops) {
    spdlog::info("VM {} ({}): {} (command {})", op.vm.uuid, op.vm.name, kind_name(op.kind), op.id);
    auto done = [this, alive = std::weak_ptr<int>(alive_), life, id = op.id,
                 uuid = op.vm.uuid](vm::VmResult result) {
      if (!alive.lock()) return;
      if (!result.ok) spdlog::warn("VM {}: command {} failed: {}", uuid, id, result.error);
      // An agent that ended meanwhile is not told; the next report says what runs.
      if (!agent_ || agent_life_ != life) return;
      agent_->driver_done(clock_.now(), id, result);
      pump_agent();
    };
    if (op.kind == failover::VmCommand::Kind::kStart) {
      driver_.start(op.vm, std::move(done));
    } else {
      driver_.stop(op.vm.uuid, std::move(done));
    }
  }
  for (auto& [to, result] : ready.results) sender_.send(to, std::move(result));
  if (ready.report) sender_.send(ready.report->first, std::move(ready.report->second));
  agent_timer_.arm_at(agent_->next_wakeup(), [this] { pump_agent(); });
}

// ---- the coordinator --------------------------------------------------------------------

void VmFailover::pump_coordinator() {
  if (!coordinator_) return;
  failover::CoordinatorReady ready = coordinator_->take_ready();
  for (const std::string& text : ready.notes) {
    spdlog::info("failover: {}", text);
    if (listener_.note) listener_.note(text);
  }
  for (const failover::Alert& alert : ready.alerts) {
    spdlog::warn("failover alert {}: {}", alert.name, alert.text);
    if (listener_.alert) listener_.alert(alert);
  }
  for (const failover::FencedHost& fenced : ready.fenced) {
    spdlog::info("failover: h{} (incarnation {}) confirmed fenced by epoch {}", fenced.host,
                 fenced.incarnation, fenced.epoch);
    if (listener_.fenced) listener_.fenced(fenced);
  }
  for (auto& [to, ack] : ready.acks) sender_.send(to, ack);
  if (!ready.records.empty() || ready.status || !ready.commands.empty()) {
    outbox_.push_back(Outgoing{next_sequence_++, std::move(ready.records), ready.status,
                               std::move(ready.commands)});
    persist_next();
  }
  coordinator_timer_.arm_at(coordinator_->next_wakeup(), [this] {
    if (!coordinator_) return;
    coordinator_->tick(clock_.now());
    pump_coordinator();
  });
}

void VmFailover::persist_next() {
  if (persisting_ || outbox_.empty()) return;
  persisting_ = true;
  const Outgoing& next = outbox_.front();
  auto done = [loop = loop_, alive = std::weak_ptr<int>(alive_), this, life = coordinator_life_,
               sequence = next.sequence](bool ok) {
    // From any thread, maybe inside persist(): the answer waits for the loop.
    asio::post(loop, [alive, this, life, sequence, ok] {
      if (alive.lock()) persisted(life, sequence, ok);
    });
  };
  persister_.persist(next.records, next.status, std::move(done));
}

void VmFailover::persisted(std::uint64_t life, std::uint64_t sequence, bool ok) {
  // A write of a stopped coordinator, or an answer given twice.
  if (life != coordinator_life_ || !persisting_ || outbox_.empty() ||
      outbox_.front().sequence != sequence) {
    return;
  }
  persisting_ = false;
  if (!ok) {
    spdlog::warn(
        "failover: writing the pool database failed; trying again in {} ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(config_.persist_retry).count());
    persist_retry_timer_.arm_after(config_.persist_retry, [this] { persist_next(); });
    return;
  }
  Outgoing written = std::move(outbox_.front());
  outbox_.pop_front();
  persisted_sequence_ = written.sequence;
  // On disk: now the hosts may be told.
  for (auto& [to, command] : written.commands) {
    spdlog::info("failover: {} VM {} on h{} (command {})", kind_name(command.kind), command.vm.uuid,
                 to, command.id);
    sender_.send(to, std::move(command));
  }
  std::erase_if(waiting_answers_, [this](WaitingAnswer& w) {
    if (w.sequence > persisted_sequence_) return false;
    answer_later(std::move(w.answer), std::move(w.result));
    return true;
  });
  persist_next();
}

}  // namespace poolha::daemon

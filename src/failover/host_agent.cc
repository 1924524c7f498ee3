#include "failover/host_agent.h"

#include <algorithm>
#include <utility>

namespace poolha::failover {

bool HostAgent::member() const {
  return announced_.contains(cfg_.self, cfg_.incarnation);
}

void HostAgent::set_liveset(TimePoint, const wire::Membership& announced) {
  if (announced.same_as(announced_)) return;
  const bool new_master = announced.master != announced_.master;
  // Commands of the previous liveset are refused from now on, so their
  // answers are no longer needed for retransmissions.
  if (new_master || announced.epoch != announced_.epoch) answered_.clear();
  announced_ = announced;
  // A new master has recorded none of the halts yet.
  if (new_master) {
    for (auto& [seq, halt] : halts_) seq = 0;
  }
  report_now_ = true;
}

VmCommandResult HostAgent::result_for(std::uint64_t id, const std::string& vm, bool ok,
                                      std::string error) const {
  VmCommandResult result;
  result.epoch = announced_.epoch;
  result.host = cfg_.self;
  result.id = id;
  result.vm = vm;
  result.ok = ok;
  result.error = std::move(error);
  result.report_sequence = sequence_;
  return result;
}

bool HostAgent::is_pending(const VmCommand& command) const {
  return std::any_of(pending_.begin(), pending_.end(), [&](const Pending& p) {
    return p.id == command.id && p.epoch == command.epoch && p.master == command.master &&
           p.kind == command.kind && p.vm == command.vm.uuid;
  });
}

const HostAgent::Answered* HostAgent::answered(const VmCommand& command) const {
  for (const Answered& a : answered_) {
    if (a.id == command.id && a.kind == command.kind && a.vm == command.vm.uuid) return &a;
  }
  return nullptr;
}

void HostAgent::receive(TimePoint, const VmCommand& command) {
  // Only the master of the liveset this host acts on may command it, and
  // only for that liveset: an older master's command is refused for good.
  if (!member() || command.epoch != announced_.epoch || command.master != announced_.master) {
    ready_.results.emplace_back(command.master,
                                result_for(command.id, command.vm.uuid, false,
                                           std::string(kStaleLiveset) + ": host acts on epoch " +
                                               std::to_string(announced_.epoch)));
    return;
  }
  // A retransmission runs nothing: it gets the answer the first copy got.
  if (is_pending(command)) return;
  if (const Answered* done = answered(command)) {
    ready_.results.emplace_back(command.master, done->result);
    return;
  }
  pending_.push_back(
      Pending{command.id, command.epoch, command.master, command.kind, command.vm.uuid, false});
  ready_.driver_ops.push_back(DriverOp{command.kind, command.id, command.vm});
}

void HostAgent::receive(TimePoint, const ReportAck& ack) {
  if (ack.epoch != announced_.epoch || ack.master != announced_.master) return;
  std::erase_if(halts_, [&](const auto& h) { return h.first != 0 && h.first <= ack.sequence; });
}

void HostAgent::driver_done(TimePoint, std::uint64_t id, const vm::VmResult& result) {
  auto it =
      std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.id == id; });
  if (it == pending_.end()) return;
  const Pending done = *it;
  pending_.erase(it);
  VmCommandResult answer = result_for(id, done.vm, result.ok, result.error);
  if (done.epoch == announced_.epoch && done.master == announced_.master) {
    answered_.push_back(Answered{done.id, done.kind, done.vm, answer});
    if (answered_.size() > kAnsweredKept) answered_.pop_front();
  }
  ready_.results.emplace_back(done.master, std::move(answer));
  report_now_ = true;
}

void HostAgent::halted(TimePoint, const std::string& vm, vm::HaltCause cause) {
  halts_.emplace_back(0, VmHalt{vm, cause});
  report_now_ = true;
}

void HostAgent::tick(TimePoint now, std::vector<std::string> running) {
  if (!report_now_ && now < next_report_) return;
  report_now_ = false;
  next_report_ = now + cfg_.report_interval;
  if (!member() || announced_.master == kNoHost) return;
  HostReport report;
  report.epoch = announced_.epoch;
  report.host = cfg_.self;
  report.incarnation = cfg_.incarnation;
  report.sequence = ++sequence_;
  // A start accepted but not yet handed to the driver counts as running: a
  // master reading this report must not start the VM elsewhere. Once handed
  // over, the driver lists the VM itself for as long as it exists.
  for (const Pending& p : pending_) {
    if (p.kind == VmCommand::Kind::kStart && !p.handed_over) running.push_back(p.vm);
  }
  std::sort(running.begin(), running.end());
  running.erase(std::unique(running.begin(), running.end()), running.end());
  report.running = std::move(running);
  for (auto& [seq, halt] : halts_) {
    if (seq == 0) seq = report.sequence;
    report.halts.push_back(halt);
  }
  ready_.report = std::make_pair(announced_.master, std::move(report));
}

AgentReady HostAgent::take_ready() {
  for (Pending& p : pending_) p.handed_over = true;
  return std::exchange(ready_, AgentReady{});
}

}  // namespace poolha::failover

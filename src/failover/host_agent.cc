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
  announced_ = announced;
  // A new master has recorded none of the halts yet.
  if (new_master) {
    for (auto& [seq, halt] : halts_) seq = 0;
  }
  report_now_ = true;
}

void HostAgent::receive(TimePoint, const VmCommand& command) {
  // Only the master of the liveset this host acts on may command it, and
  // only for that liveset: an older master's command is refused for good.
  if (!member() || command.epoch != announced_.epoch || command.master != announced_.master) {
    ready_.results.emplace_back(
        command.master,
        VmCommandResult{
            announced_.epoch, cfg_.self, command.id, command.vm.uuid, false,
            "HA_STALE_LIVESET: host acts on epoch " + std::to_string(announced_.epoch)});
    return;
  }
  for (const Pending& p : pending_) {
    if (p.id == command.id && p.master == command.master) return;  // a retransmission
  }
  pending_.push_back(Pending{command.id, command.master, command.vm.uuid});
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
  ready_.results.emplace_back(it->master, VmCommandResult{announced_.epoch, cfg_.self, id, it->vm,
                                                          result.ok, result.error});
  pending_.erase(it);
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
  report.running = std::move(running);
  for (auto& [seq, halt] : halts_) {
    if (seq == 0) seq = report.sequence;
    report.halts.push_back(halt);
  }
  ready_.report = std::make_pair(announced_.master, std::move(report));
}

AgentReady HostAgent::take_ready() {
  return std::exchange(ready_, AgentReady{});
}

}  // namespace poolha::failover

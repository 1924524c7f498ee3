// The VM side of one host: executes the master's start/stop commands on the
// local hypervisor and reports what runs there. Pure: the host's shell calls
// the VM driver for the operations it returns (before it next calls tick) and
// feeds every result back. A command runs at most once, however often it
// arrives: a repeat gets the first copy's answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "failover/messages.h"
#include "wire/view.h"

namespace poolha::failover {

struct AgentConfig {
  HostIndex self = 0;
  std::uint32_t incarnation = 1;
  Duration report_interval = 2s;
};

struct DriverOp {
  VmCommand::Kind kind = VmCommand::Kind::kStart;
  std::uint64_t id = 0;  // the command's id, handed back in driver_done
  vm::VmConfig vm;
};

struct AgentReady {
  std::vector<DriverOp> driver_ops;
  std::vector<std::pair<HostIndex, VmCommandResult>> results;  // to the commanding master
  std::optional<std::pair<HostIndex, HostReport>> report;      // to the current master
};

class HostAgent {
 public:
  explicit HostAgent(AgentConfig config) : cfg_(config) {}

  // The liveset the host's engine announces (it acts on it).
  void set_liveset(TimePoint now, const wire::Membership& announced);
  void receive(TimePoint now, const VmCommand& command);
  void receive(TimePoint now, const ReportAck& ack);
  void driver_done(TimePoint now, std::uint64_t id, const vm::VmResult& result);
  void halted(TimePoint now, const std::string& vm, vm::HaltCause cause);
  // `running`: the hypervisor's list right now (booting VMs included).
  void tick(TimePoint now, std::vector<std::string> running);

  AgentReady take_ready();
  TimePoint next_wakeup() const { return next_report_; }

 private:
  struct Pending {
    std::uint64_t id;
    std::uint64_t epoch;
    HostIndex master;
    VmCommand::Kind kind;
    std::string vm;
    bool handed_over = false;  // its driver op left in a Ready: the driver lists the VM now
  };
  // A command of the current liveset that finished, kept to answer a
  // retransmission of it without running it again.
  struct Answered {
    std::uint64_t id;
    VmCommand::Kind kind;
    std::string vm;
    VmCommandResult result;
  };
  static constexpr std::size_t kAnsweredKept = 1024;

  bool member() const;
  bool is_pending(const VmCommand& command) const;
  const Answered* answered(const VmCommand& command) const;
  VmCommandResult result_for(std::uint64_t id, const std::string& vm, bool ok,
                             std::string error) const;

  AgentConfig cfg_;
  wire::Membership announced_;
  std::vector<Pending> pending_;
  std::deque<Answered> answered_;                        // oldest first
  std::vector<std::pair<std::uint64_t, VmHalt>> halts_;  // report sequence that first carried it
  std::uint64_t sequence_ = 0;
  TimePoint next_report_{};
  bool report_now_ = true;
  AgentReady ready_;
};

}  // namespace poolha::failover

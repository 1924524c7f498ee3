// The master's VM failover, as a pure state machine (docs/failover.md).
//
// Inputs: the liveset the master announces (a host leaves it only after its
// fence deadline, so its VMs have surely stopped), the hosts' reports and
// command results, operator actions, and ticks. Outputs: VM records to
// persist, then commands to send, plus alerts and "host confirmed fenced"
// events. The shell must persist every record of a Ready before it sends
// that Ready's commands: the database on disk is never behind what hosts
// were told to do, so a new master can pick up where this one stopped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/time.h"
#include "failover/messages.h"
#include "failover/records.h"
#include "wire/view.h"

namespace poolha::failover {

struct Alert {
  std::string name;  // HA_PROTECTED_VM_RESTART_FAILED, HA_POOL_OVERCOMMITTED, ...
  std::string text;
  std::string vm;  // the VM concerned, if any
};

struct FencedHost {
  HostIndex host = kNoHost;
  std::uint32_t incarnation = 0;
  std::uint64_t epoch = 0;  // the liveset that removed it
};

struct CoordinatorReady {
  std::vector<VmRecord> records;  // persist these first...
  std::optional<PlanStatus> status;
  std::vector<std::pair<HostIndex, VmCommand>> commands;  // ...then send these
  std::vector<std::pair<HostIndex, ReportAck>> acks;
  std::vector<Alert> alerts;
  std::vector<FencedHost> fenced;  // for external managers: these hosts are down for good
  std::vector<std::string> notes;  // timeline detail
};

// What an operator action through the API answered.
struct ApiResult {
  bool ok = true;
  std::string error;  // xe-style code, e.g. HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN
  static ApiResult failure(std::string code) { return ApiResult{false, std::move(code)}; }
};

class Coordinator {
 public:
  Coordinator(HostIndex self, std::uint32_t incarnation, PoolSnapshot pool, TimePoint now);

  void set_liveset(TimePoint now, const wire::Membership& announced);
  void receive(TimePoint now, const HostReport& report);
  void receive(TimePoint now, const VmCommandResult& result);
  void tick(TimePoint now);

  // Operator actions (xe vm-start / vm-shutdown / vm-param-set).
  ApiResult start_vm(TimePoint now, const std::string& vm, std::optional<HostIndex> on);
  ApiResult shutdown_vm(TimePoint now, const std::string& vm);
  ApiResult set_restart_priority(TimePoint now, const std::string& vm, RestartPriority priority);
  ApiResult set_failures_to_tolerate(TimePoint now, std::uint32_t target);

  CoordinatorReady take_ready();
  TimePoint next_wakeup() const;

  const std::map<std::string, VmRecord>& vms() const { return vms_; }
  const PlanStatus& status() const { return status_; }
  const wire::Membership& liveset() const { return liveset_; }

 private:
  struct InFlight {
    std::uint64_t id = 0;
    HostIndex host = kNoHost;
    VmCommand::Kind kind = VmCommand::Kind::kStart;
    TimePoint sent{};
  };
  struct RestartState {
    std::uint32_t attempts = 0;
    TimePoint next_try{};
    bool alerted = false;
    bool gave_up = false;
    bool best_effort_due = false;  // its host died: one round of best-effort attempts
  };
  struct HostReportState {
    std::uint64_t epoch = 0;
    std::uint32_t incarnation = 0;
    std::uint64_t sequence = 0;
    std::set<std::string> running;
  };

  void step(TimePoint now);
  void bury_dead_hosts(TimePoint now);
  void reconcile(TimePoint now, HostIndex h);
  void start_restarts(TimePoint now);
  void finish_start(TimePoint now, const std::string& vm, bool ok, const std::string& error);
  void refresh_plan_status();
  void record_halt(TimePoint now, VmRecord& vm, bool internal_shutdown);
  void update(const VmRecord& record);
  std::uint64_t send(TimePoint now, HostIndex h, VmCommand::Kind kind, const VmRecord& vm);
  bool live(HostIndex h) const { return h != kNoHost && liveset_.members.contains(h); }
  bool reported(HostIndex h) const;
  std::vector<std::uint64_t> free_memory() const;
  bool plan_would_break(const std::map<std::string, VmRecord>& after) const;
  void note(std::string text) { ready_.notes.push_back(std::move(text)); }
  void alert(std::string name, std::string text, std::string vm = {});

  HostIndex self_;
  std::uint32_t incarnation_;
  std::vector<HostRecord> hosts_;
  std::map<std::string, VmRecord> vms_;
  FailoverPolicy policy_;
  PlanStatus status_;
  wire::Membership liveset_;
  bool have_liveset_ = false;
  std::map<HostIndex, HostReportState> reports_;
  std::map<std::string, InFlight> in_flight_;
  std::map<std::string, RestartState> restarts_;
  std::uint64_t next_id_ = 1;
  TimePoint group_ready_at_{};  // the next order group may start then
  bool plan_dirty_ = true;
  TimePoint next_wakeup_{};
  CoordinatorReady ready_;
};

}  // namespace poolha::failover

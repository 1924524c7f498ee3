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
#include "failover/early_reports.h"
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
  // Restart order and the delay after a VM of this order started (xe
  // vm-param-set order= / start-delay=); no plan depends on them.
  ApiResult set_order(TimePoint now, const std::string& vm, std::int64_t order);
  ApiResult set_start_delay(TimePoint now, const std::string& vm, Duration delay);
  // The shell persisted the host's enabled flag first; disabled hosts take no
  // new VMs (placement, restarts) but keep the ones they run.
  ApiResult set_host_enabled(TimePoint now, HostIndex host, bool enabled);

  // Planner questions about the current pool (xe pool-ha-compute-...):
  // whether a plan covers any `failures` live hosts failing, and how many
  // failures the planner proves the pool survives.
  bool plan_exists_for(std::uint32_t failures) const;
  std::uint32_t max_failures_to_tolerate() const;

  CoordinatorReady take_ready();
  TimePoint next_wakeup() const;

  // Whether host `h` reported on the current liveset, and whether every live
  // enabled host did: until then the coordinator places nothing there.
  bool reported(HostIndex h) const;
  bool every_host_reported() const;
  bool is_live(HostIndex h) const { return live(h); }

  const std::map<std::string, VmRecord>& vms() const { return vms_; }
  const PlanStatus& status() const { return status_; }
  const wire::Membership& liveset() const { return liveset_; }

 private:
  // A command sent and not answered yet. It goes again every
  // command_resend (the host runs it once and repeats its answer) until an
  // answer or the host's report settles it.
  struct InFlight {
    VmCommand command;  // exactly as first sent
    HostIndex host = kNoHost;
    bool restart = false;  // a failover restart: order groups and start delays apply
    TimePoint sent{};
    TimePoint resend_at{};
    bool timed_out = false;  // no answer in time: a report showing its effect settles it
    // Sent on an earlier liveset, which the host no longer obeys: its first
    // report on this liveset settles it either way.
    bool report_decides = false;
    // The host refused it (it acted on another liveset), so it did not run;
    // it goes again once a report newer than this one arrives on this liveset.
    std::optional<std::uint64_t> refused_after;
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
  // Halts the VMs of hosts out of the liveset, and of those in `reborn`
  // (back as a new incarnation: the old one fenced, its VMs stopped).
  void bury_dead_hosts(TimePoint now, const HostSet& reborn = {});
  void reconcile(TimePoint now, HostIndex h);
  void resend_unanswered(TimePoint now);
  void start_restarts(TimePoint now);
  void finish_start(TimePoint now, const InFlight& sent, const VmCommandResult& result);
  void refresh_plan_status();
  void record_halt(TimePoint now, VmRecord& vm, bool internal_shutdown);
  void update(const VmRecord& record);
  void send(TimePoint now, HostIndex h, VmCommand::Kind kind, const VmRecord& vm, bool restart);
  void forget_command(const std::string& vm);
  bool settled_by_report(const InFlight& f, bool here) const;
  void check_persist_before_send() const;
  bool live(HostIndex h) const { return h < hosts_.size() && liveset_.members.contains(h); }
  bool stop_in_flight(const std::string& vm) const;
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
  TimePoint liveset_since_{};  // when this master began acting on the current epoch
  std::map<HostIndex, HostReportState> reports_;
  EarlyReports early_reports_;  // made on a liveset newer than liveset_
  // Per host: its report sequence when it gave the newest answer applied
  // here; reports up to it are older than that answer and are ignored.
  std::map<HostIndex, std::uint64_t> answered_after_;
  std::map<std::string, InFlight> in_flight_;
  std::map<std::string, RestartState> restarts_;
  std::set<std::pair<std::string, HostIndex>> running_twice_alerted_;
  std::uint64_t id_epoch_ = 0;  // the epoch next_id_ counts in
  std::uint64_t next_id_ = 1;
  TimePoint group_ready_at_{};  // the next order group may start then
  bool plan_dirty_ = true;
  TimePoint next_wakeup_{};
  CoordinatorReady ready_;
};

}  // namespace poolha::failover

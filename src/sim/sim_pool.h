// The VM half of the simulated pool: a hypervisor per host, the host agents,
// the master's failover coordinator, and the pool database on the heartbeat
// SR's metadata area. It runs on the simulator's clock, network and storage
// paths, driven by hooks the simulator calls, and checks the VM invariants:
// at most one running instance of a VM at any instant (from the hypervisors'
// own history), protected VMs back after faults settle whenever capacity
// allows, and no acknowledged database write lost across master changes.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "failover/coordinator.h"
#include "failover/host_agent.h"
#include "sim/metadata_area.h"
#include "sim/scenario.h"
#include "sim/virtual_time.h"
#include "vm/run_ledger.h"
#include "vm/sim_vm_driver.h"

namespace poolha::sim {

class Simulator;

struct SimPoolConfig {
  std::vector<VmSpec> vms;
  std::vector<std::uint64_t> host_memory_mib;  // per host; empty: 65536 each
  vm::SimVmTiming vm_timing;
  failover::FailoverPolicy policy;
};

class SimPool {
 public:
  SimPool(Simulator& sim, SimPoolConfig config);
  ~SimPool();
  SimPool(const SimPool&) = delete;
  SimPool& operator=(const SimPool&) = delete;

  // Hooks from the simulator.
  void host_started(HostIndex h);
  void host_lost_power(HostIndex h);  // power off or fence: every domain is gone
  void daemon_stopped(HostIndex h);   // the daemon ended (the host may still run VMs)
  void engine_stepped(HostIndex h);
  void after_event();
  void check_settled();

  // Scenario actions.
  void start_vm(const std::string& name, std::optional<HostIndex> on);
  void shutdown_vm(const std::string& name);
  void guest_halt(const std::string& name, vm::HaltCause cause);
  void fail_starts(HostIndex h, std::uint32_t count);
  // Stops every VM of `h` at once (evacuation before a clean leave).
  void evacuate(HostIndex h);

  // Introspection for expectations and benchmarks.
  std::vector<HostIndex> hosts_running(const std::string& name) const;
  bool knows_vm(const std::string& name) const;
  const vm::RunLedger& ledger() const { return ledger_; }
  // Error codes of refused operator actions, in order.
  const std::vector<std::string>& refusals() const { return refusals_; }
  std::optional<failover::PlanStatus> plan_status() const;
  void set_restart_priority(const std::string& name, failover::RestartPriority priority);
  void set_failures_to_tolerate(std::uint32_t target);
  std::string uuid_of(const std::string& name) const;
  std::string name_of(const std::string& uuid) const;

 private:
  struct HostState;
  class Scheduler;

  HostState& state(HostIndex h) { return *hosts_[h]; }
  void pump_agent(HostIndex h);
  void pump_coordinator(HostIndex h);
  void schedule_agent_tick(HostIndex h);
  void schedule_coordinator_tick(HostIndex h);
  void persist_next(HostIndex h);
  void begin_load(HostIndex h);
  void send(HostIndex from, HostIndex to, std::function<void()> deliver);
  // A message to the agent / coordinator of `to`, over the simulated network.
  template <typename Message>
  void to_agent(HostIndex from, HostIndex to, Message message);
  template <typename Message>
  void to_coordinator(HostIndex from, HostIndex to, Message message);
  failover::Coordinator* coordinator_of_master();
  const failover::Coordinator* coordinator_of_master() const;
  // Runs an operator action on the master's coordinator and logs its answer.
  void api(const std::string& what,
           const std::function<failover::ApiResult(failover::Coordinator&, TimePoint)>& action);
  bool host_running(HostIndex h, std::uint32_t incarnation) const;
  void log(HostIndex h, const std::string& text);

  Simulator& sim_;
  SimPoolConfig config_;
  std::unique_ptr<Scheduler> scheduler_;
  vm::RunLedger ledger_;
  MetadataArea metadata_;
  std::vector<std::unique_ptr<HostState>> hosts_;
  std::vector<std::string> vm_names_;  // by uuid order
  std::size_t clashes_seen_ = 0;
  std::vector<std::string> refusals_;
};

}  // namespace poolha::sim

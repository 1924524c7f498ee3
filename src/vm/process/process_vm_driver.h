// A VM as a supervised group of local processes: the demo's hypervisor.
// Starting a VM runs a configured command as the leader of a new process
// group; the group is the VM. Stopping it signals the whole group. When the
// command exits by itself the VM has halted: exit status 0 reads as the
// guest shutting down, anything else (a signal included) as a crash.
//
// Every VM's group is recorded in the host's VmProcessRegistry, so the
// fencer can kill VMs without this driver, and a restarted daemon adopts the
// VMs that still run (see docs/vm-drivers.md for what adoption cannot know).
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "vm/process_registry.h"
#include "vm/vm_driver.h"

namespace poolha::vm {

struct ProcessDriverConfig {
  // argv template: every element may use {uuid}, {name} and {memory_mib}.
  // The process also gets POOLHA_VM_UUID, POOLHA_VM_NAME and
  // POOLHA_VM_MEMORY_MIB in its environment.
  std::vector<std::string> command;
  // stdout and stderr of a VM are appended to <log_dir>/<uuid>.log; the
  // daemon's own are inherited when unset.
  std::optional<std::filesystem::path> log_dir;
  Duration stop_grace = 10s;  // SIGTERM to SIGKILL
  Duration kill_wait = 5s;    // SIGKILL to giving up on a stop
  // How often VMs adopted from the registry are checked for having exited.
  Duration adopted_poll_interval = 1s;
};

class ProcessVmDriver final : public VmDriver {
 public:
  // Adopts the registry's VMs whose process group still runs and drops the
  // entries of those that do not. Throws std::invalid_argument for an empty
  // command.
  ProcessVmDriver(asio::io_context& io, VmProcessRegistry& registry, ProcessDriverConfig config);
  // The VMs keep running: a daemon restart must not take them down.
  ~ProcessVmDriver() override;

  void start(const VmConfig& vm, Done done) override;
  void stop(const std::string& uuid, Done done) override;
  std::vector<std::string> running() const override;
  void set_halt_listener(HaltListener listener) override { listener_ = std::move(listener); }

  // The VM's process group while it runs here.
  std::optional<pid_t> process_group(const std::string& uuid) const;
  // Whether the VM was adopted from the registry rather than started here.
  bool adopted(const std::string& uuid) const;

 private:
  struct Vm;

  void adopt_recorded_vms();
  void watch_leader(const std::shared_ptr<Vm>& vm);
  void on_leader_exited(const std::shared_ptr<Vm>& vm);
  void poll_after(const std::shared_ptr<Vm>& vm, Duration delay);
  void poll(const std::shared_ptr<Vm>& vm);
  void poll_stopping(const std::shared_ptr<Vm>& vm);
  // The group is gone: forget the VM and tell whoever waits for it.
  void finish(const std::shared_ptr<Vm>& vm);
  void complete_soon(Done done, VmResult result);

  asio::io_context& io_;
  VmProcessRegistry& registry_;
  ProcessDriverConfig config_;
  HaltListener listener_;
  std::map<std::string, std::shared_ptr<Vm>> vms_;
};

}  // namespace poolha::vm

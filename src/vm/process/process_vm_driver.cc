#include "vm/process/process_vm_driver.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include "vm/process/child_exit.h"
#include "vm/process/process_group.h"
#include "vm/process/spawn.h"
#include "vm/process/vm_template.h"

namespace poolha::vm {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often a group that is being stopped or cleared is looked at: signals
// take effect within milliseconds, so this bounds how late a stop completes.
constexpr Duration kGroupPollInterval = 50ms;

}  // namespace

struct ProcessVmDriver::Vm {
  enum class Phase {
    kRunning,
    kStopping,  // stop() signalled the group; waiting for it to be gone
    kEnding,    // the leader exited by itself; clearing what is left of the group
  };

  Vm(asio::io_context& io, std::string id, pid_t pgid)
      : uuid(std::move(id)), group(pgid), timer(io) {}

  std::string uuid;
  pid_t group;
  std::optional<ChildExitWatch> leader;  // absent for an adopted VM: not our child
  Phase phase = Phase::kRunning;
  asio::steady_timer timer;
  SteadyClock::time_point deadline{};  // of the current stop step
  bool killed = false;                 // SIGKILL sent during this stop
  std::vector<Done> stop_waiters;
};

ProcessVmDriver::ProcessVmDriver(asio::io_context& io, VmProcessRegistry& registry,
                                 ProcessDriverConfig config)
    : io_(io), registry_(registry), config_(std::move(config)) {
  if (config_.command.empty() || config_.command[0].empty()) {
    throw std::invalid_argument("process VM driver: the command is empty");
  }
  if (config_.log_dir) std::filesystem::create_directories(*config_.log_dir);
  adopt_recorded_vms();
}

ProcessVmDriver::~ProcessVmDriver() = default;

void ProcessVmDriver::adopt_recorded_vms() {
  std::vector<std::string> malformed;
  for (const auto& [uuid, group] : registry_.list(&malformed)) {
    // The group id alone may have been reused by an unrelated process after
    // the VM ended; the VM's own processes carry its uuid in the environment.
    if (!group_member_has_environment(group, "POOLHA_VM_UUID=" + uuid)) {
      spdlog::info("process VM {}: process group {} no longer runs it; dropping the entry", uuid,
                   group);
      registry_.erase(uuid);
      continue;
    }
    auto vm = std::make_shared<Vm>(io_, uuid, group);
    vms_.emplace(uuid, vm);
    spdlog::info("process VM {}: adopted running process group {}", uuid, group);
    poll_after(vm, config_.adopted_poll_interval);
  }
  for (const auto& name : malformed) {
    spdlog::warn("process VM registry: entry '{}' is not a process group; left alone", name);
  }
}

void ProcessVmDriver::complete_soon(Done done, VmResult result) {
  asio::post(io_, [done = std::move(done), result = std::move(result)] { done(result); });
}

void ProcessVmDriver::start(const VmConfig& config, Done done) {
  if (const auto it = vms_.find(config.uuid); it != vms_.end()) {
    switch (it->second->phase) {
      case Vm::Phase::kRunning:
        // Never a second copy: the VM the caller wants is already there.
        complete_soon(std::move(done), VmResult{true, {}});
        return;
      case Vm::Phase::kStopping:
        complete_soon(std::move(done), VmResult{false, "VM_BAD_POWER_STATE: the VM is stopping"});
        return;
      case Vm::Phase::kEnding:
        complete_soon(std::move(done),
                      VmResult{false, "VM_BAD_POWER_STATE: the VM is halting by itself"});
        return;
    }
  }

  SpawnRequest request;
  try {
    for (const auto& arg : config_.command) request.argv.push_back(expand_vm_template(arg, config));
  } catch (const std::invalid_argument& e) {
    complete_soon(std::move(done), VmResult{false, std::string("VM_START_FAILED: ") + e.what()});
    return;
  }
  request.extra_environment = {"POOLHA_VM_UUID=" + config.uuid, "POOLHA_VM_NAME=" + config.name,
                               "POOLHA_VM_MEMORY_MIB=" + std::to_string(memory_mib(config))};
  if (config_.log_dir) request.output = *config_.log_dir / (config.uuid + ".log");

  // A VM the fencer cannot see must not run: the group is recorded before
  // the command is exec'd.
  request.before_exec = [this, uuid = config.uuid](pid_t group) {
    try {
      registry_.record(uuid, group);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("recording the process group: ") + e.what());
    }
  };
  SpawnedProcess spawned;
  try {
    spawned = spawn_session_leader(request);
  } catch (const std::exception& e) {
    registry_.erase(config.uuid);
    spdlog::warn("process VM {}: start failed: {}", config.uuid, e.what());
    complete_soon(std::move(done), VmResult{false, std::string("VM_START_FAILED: ") + e.what()});
    return;
  }

  auto vm = std::make_shared<Vm>(io_, config.uuid, spawned.pid);
  vm->leader.emplace(io_, std::move(spawned.pidfd));
  vms_.emplace(config.uuid, vm);
  spdlog::info("process VM {}: started as process group {}", config.uuid, spawned.pid);
  watch_leader(vm);
  complete_soon(std::move(done), VmResult{true, {}});
}

void ProcessVmDriver::watch_leader(const std::shared_ptr<Vm>& vm) {
  vm->leader->async_wait([this, weak = std::weak_ptr<Vm>(vm)](std::error_code ec) {
    const auto locked = weak.lock();
    if (ec || !locked) return;
    on_leader_exited(locked);
  });
}

void ProcessVmDriver::on_leader_exited(const std::shared_ptr<Vm>& vm) {
  if (vm->phase != Vm::Phase::kRunning) {
    vm->leader->reap();
    poll_after(vm, 0us);  // a stop in progress: check the group right away
    return;
  }
  // The VM is its whole group: nothing of a halted VM may outlive it. The
  // signal goes first: until the leader is reaped its id cannot be reused,
  // so the group signalled is certainly this VM's.
  signal_group_logged(vm->uuid, vm->group, SIGKILL);
  const ExitStatus status = vm->leader->reap();
  spdlog::info("process VM {}: halted by itself ({})", vm->uuid, status.describe());
  vm->phase = Vm::Phase::kEnding;
  poll_after(vm, 0us);
}

void ProcessVmDriver::stop(const std::string& uuid, Done done) {
  const auto it = vms_.find(uuid);
  if (it == vms_.end()) {
    complete_soon(std::move(done), VmResult{false, "VM_BAD_POWER_STATE: not running on this host"});
    return;
  }
  const std::shared_ptr<Vm> vm = it->second;
  switch (vm->phase) {
    case Vm::Phase::kStopping:
      vm->stop_waiters.push_back(std::move(done));
      return;
    case Vm::Phase::kEnding:
      complete_soon(std::move(done),
                    VmResult{false, "VM_BAD_POWER_STATE: the VM is halting by itself"});
      return;
    case Vm::Phase::kRunning:
      break;
  }
  try {
    signal_group(vm->group, SIGTERM);
  } catch (const std::system_error& e) {
    complete_soon(std::move(done), VmResult{false, std::string("VM_STOP_FAILED: ") + e.what()});
    return;
  }
  spdlog::info("process VM {}: stopping process group {}", uuid, vm->group);
  vm->phase = Vm::Phase::kStopping;
  vm->killed = false;
  vm->deadline = SteadyClock::now() + config_.stop_grace;
  vm->stop_waiters.push_back(std::move(done));
  poll_after(vm, kGroupPollInterval);
}

void ProcessVmDriver::poll_after(const std::shared_ptr<Vm>& vm, Duration delay) {
  vm->timer.expires_after(delay);
  vm->timer.async_wait([this, weak = std::weak_ptr<Vm>(vm)](std::error_code ec) {
    const auto locked = weak.lock();
    if (ec || !locked) return;
    poll(locked);
  });
}

void ProcessVmDriver::poll(const std::shared_ptr<Vm>& vm) {
  switch (vm->phase) {
    case Vm::Phase::kRunning:
      if (group_has_live_members(vm->group)) {
        poll_after(vm, config_.adopted_poll_interval);
        return;
      }
      // Adopted VMs (and a VM whose stop gave up after its leader exited)
      // are polled: there is no pidfd of our own child to wait on.
      spdlog::info("process VM {}: process group {} has no live members any more", vm->uuid,
                   vm->group);
      reap_exited_children_of_group(vm->group);
      finish(vm);
      return;
    case Vm::Phase::kStopping:
      poll_stopping(vm);
      return;
    case Vm::Phase::kEnding:
      if (group_has_live_members(vm->group)) {
        poll_after(vm, kGroupPollInterval);
        return;
      }
      finish(vm);
      return;
  }
}

void ProcessVmDriver::poll_stopping(const std::shared_ptr<Vm>& vm) {
  if (!group_has_live_members(vm->group)) {
    if (!vm->leader) reap_exited_children_of_group(vm->group);
    finish(vm);
    return;
  }
  const auto now = SteadyClock::now();
  if (now < vm->deadline) {
    poll_after(vm, kGroupPollInterval);
    return;
  }
  if (!vm->killed) {
    spdlog::info("process VM {}: still running {} s after SIGTERM; sending SIGKILL", vm->uuid,
                 to_seconds(config_.stop_grace));
    signal_group_logged(vm->uuid, vm->group, SIGKILL);
    vm->killed = true;
    vm->deadline = now + config_.kill_wait;
    poll_after(vm, kGroupPollInterval);
    return;
  }
  // Processes stuck in the kernel survive SIGKILL for as long as they are
  // stuck. The VM still exists, so it stays listed and can be stopped again.
  const std::string error =
      fmt::format("VM_STOP_FAILED: process group {} still has live members {} s after SIGKILL",
                  vm->group, to_seconds(config_.kill_wait));
  spdlog::error("process VM {}: {}", vm->uuid, error);
  vm->phase = Vm::Phase::kRunning;
  for (auto& done : std::exchange(vm->stop_waiters, {}))
    complete_soon(std::move(done), {false, error});
  if (vm->leader && !vm->leader->reaped()) return;  // the pidfd watch reports the exit
  poll_after(vm, vm->leader ? kGroupPollInterval : config_.adopted_poll_interval);
}

void ProcessVmDriver::finish(const std::shared_ptr<Vm>& vm) {
  // Every member has exited, so the leader is at most a zombie: this does
  // not block, and it keeps zombies from piling up.
  std::optional<ExitStatus> status;
  if (vm->leader) status = vm->leader->reap();
  registry_.erase(vm->uuid);
  vms_.erase(vm->uuid);
  if (vm->phase == Vm::Phase::kStopping) {
    spdlog::info("process VM {}: stopped", vm->uuid);
    for (auto& done : std::exchange(vm->stop_waiters, {}))
      complete_soon(std::move(done), {true, {}});
    return;
  }
  const HaltCause cause =
      status && status->clean() ? HaltCause::kGuestShutdown : HaltCause::kGuestCrash;
  if (listener_) listener_(vm->uuid, cause);
}

std::vector<std::string> ProcessVmDriver::running() const {
  std::vector<std::string> out;
  out.reserve(vms_.size());
  for (const auto& [uuid, vm] : vms_) out.push_back(uuid);
  return out;
}

std::optional<pid_t> ProcessVmDriver::process_group(const std::string& uuid) const {
  const auto it = vms_.find(uuid);
  if (it == vms_.end()) return std::nullopt;
  return it->second->group;
}

bool ProcessVmDriver::adopted(const std::string& uuid) const {
  const auto it = vms_.find(uuid);
  return it != vms_.end() && !it->second->leader;
}

}  // namespace poolha::vm

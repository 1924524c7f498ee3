#include "vm/qemu/qemu_vm_driver.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "vm/process/child_exit.h"
#include "vm/process/process_group.h"
#include "vm/process/spawn.h"
#include "vm/qemu/qmp_client.h"
#include "vm/qemu/qmp_halt_evidence.h"

namespace poolha::vm {
namespace {

// QEMU creates its QMP socket while it initialises, a few milliseconds
// after exec; until then a connect fails and is retried at this pace.
constexpr Duration kQmpRetryInterval = 50ms;
// Without -S the VM runs before QMP answers, so this is a formality.
constexpr Duration kStatusRetryInterval = 100ms;
constexpr std::size_t kLogLinesInErrors = 3;

// Runs `step` with the VM from an asio completion, unless the wait was
// cancelled or the VM is gone (stopped, or the driver destroyed).
template <typename Vm, typename Step>
auto guarded(const std::shared_ptr<Vm>& vm, Step step) {
  return [weak = std::weak_ptr<Vm>(vm), step = std::move(step)](std::error_code ec) {
    if (ec) return;
    if (const auto locked = weak.lock()) step(locked);
  };
}

// The last lines of QEMU's own messages: why it refused to start.
std::string log_tail(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  const std::size_t first = lines.size() > kLogLinesInErrors ? lines.size() - kLogLinesInErrors : 0;
  for (std::size_t i = first; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

}  // namespace

struct QemuVmDriver::Vm {
  enum class Phase {
    kWaitingForAccelerator,  // the auto probe runs; no process yet
    kStarting,               // QEMU spawned; waiting for QMP to report it running
    kRunning,
    kStopping,  // stop(), an abandoned start: QEMU is being ended
  };

  Vm(asio::io_context& io, VmConfig vm)
      : config(std::move(vm)), retry_timer(io), deadline_timer(io) {}

  VmConfig config;
  Phase phase = Phase::kWaitingForAccelerator;
  bool adopted = false;
  pid_t group = 0;
  std::optional<ChildExitWatch> qemu;
  std::unique_ptr<QmpClient> qmp;   // one per connection attempt
  bool qmp_open = false;            // connected and not closed since
  bool qmp_connecting = false;      // a connection attempt is under way
  bool end_when_connected = false;  // end_qemu() waits for that attempt
  bool exited = false;
  QmpHaltEvidence evidence;
  bool destroying = false;   // the guest failed; QEMU is being ended (a halt, not a stop)
  bool killed = false;       // SIGKILL sent
  bool kill_failed = false;  // and QEMU outlived kill_wait
  std::optional<std::string> start_failure;  // why an abandoned start was abandoned
  asio::steady_timer retry_timer;
  asio::steady_timer deadline_timer;  // start timeout, stop grace, kill wait
  std::vector<Done> start_waiters;
  std::vector<Done> stop_waiters;
};

QemuVmDriver::QemuVmDriver(asio::io_context& io, VmProcessRegistry& registry,
                           QemuDriverConfig config)
    : io_(io), registry_(registry), config_(std::move(config)) {
  if (config_.kernel.empty()) throw std::invalid_argument("qemu VM driver: no kernel configured");
  if (config_.state_dir.empty()) {
    throw std::invalid_argument("qemu VM driver: no state_dir configured");
  }
  if (config_.vcpus == 0) throw std::invalid_argument("qemu VM driver: vcpus must be at least 1");
  std::filesystem::create_directories(config_.state_dir);
  adopt_recorded_vms();
  choose_accelerator();
}

QemuVmDriver::~QemuVmDriver() = default;

void QemuVmDriver::choose_accelerator() {
  if (config_.accel != Accelerator::kAuto) {
    accel_ = config_.accel;
    spdlog::info("qemu VM driver: accelerator {} (configured)", accelerator_name(*accel_));
    return;
  }
  probe_ = std::make_unique<AcceleratorProbe>(
      io_, AcceleratorProbeConfig{config_.qemu_binary, config_.kernel,
                                  config_.state_dir / "kvm-probe.log", config_.kvm_probe_timeout});
  probe_->run(Accelerator::kKvm, [this](bool works, const std::string& detail) {
    accel_ = works ? Accelerator::kKvm : Accelerator::kTcg;
    spdlog::info("qemu VM driver: accelerator {} (auto: KVM probe: {})", accelerator_name(*accel_),
                 detail);
    std::vector<std::shared_ptr<Vm>> waiting;
    for (const auto& [uuid, vm] : vms_) {
      if (vm->phase == Vm::Phase::kWaitingForAccelerator) waiting.push_back(vm);
    }
    for (const auto& vm : waiting) launch(vm);
  });
}

void QemuVmDriver::adopt_recorded_vms() {
  std::vector<std::string> malformed;
  for (const auto& [uuid, group] : registry_.list(&malformed)) {
    // QEMU leads its group, so the group id is its pid; the environment
    // tells our VM from an unrelated process that reused the id.
    UniqueFd pidfd;
    if (group_member_has_environment(group, "POOLHA_VM_UUID=" + uuid)) {
      pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, group, 0)));
    }
    if (!pidfd.valid()) {
      spdlog::info("qemu VM {}: QEMU process {} no longer runs it; dropping the entry", uuid,
                   group);
      registry_.erase(uuid);
      continue;
    }
    auto vm = std::make_shared<Vm>(io_, VmConfig{uuid, {}, 0});
    vm->adopted = true;
    vm->phase = Vm::Phase::kRunning;
    vm->group = group;
    vm->qemu.emplace(io_, std::move(pidfd));
    vms_.emplace(uuid, vm);
    spdlog::info("qemu VM {}: adopted running QEMU process {}", uuid, group);
    watch_exit(vm);
    connect_qmp(vm);
  }
  for (const auto& name : malformed) {
    spdlog::warn("qemu VM registry: entry '{}' is not a process group; left alone", name);
  }
}

void QemuVmDriver::complete_soon(Done done, VmResult result) {
  asio::post(io_, [done = std::move(done), result = std::move(result)] { done(result); });
}

void QemuVmDriver::start(const VmConfig& config, Done done) {
  if (const auto it = vms_.find(config.uuid); it != vms_.end()) {
    const auto& vm = it->second;
    switch (vm->phase) {
      case Vm::Phase::kRunning:
        complete_soon(std::move(done), VmResult{true, {}});  // never a second copy
        return;
      case Vm::Phase::kWaitingForAccelerator:
      case Vm::Phase::kStarting:
        vm->start_waiters.push_back(std::move(done));
        return;
      case Vm::Phase::kStopping:
        complete_soon(std::move(done), VmResult{false, "VM_BAD_POWER_STATE: the VM is stopping"});
        return;
    }
  }
  auto vm = std::make_shared<Vm>(io_, config);
  vm->start_waiters.push_back(std::move(done));
  vms_.emplace(config.uuid, vm);
  if (accel_) {
    launch(vm);
  } else {
    spdlog::info("qemu VM {}: waiting for the accelerator probe", config.uuid);
  }
}

void QemuVmDriver::fail_before_spawn(const std::shared_ptr<Vm>& vm, const std::string& error) {
  spdlog::warn("qemu VM {}: start failed: {}", vm->config.uuid, error);
  vms_.erase(vm->config.uuid);
  for (auto& done : std::exchange(vm->start_waiters, {})) {
    complete_soon(std::move(done), VmResult{false, "VM_START_FAILED: " + error});
  }
}

void QemuVmDriver::launch(const std::shared_ptr<Vm>& vm) {
  const std::string& uuid = vm->config.uuid;
  const QemuVmFiles paths = qemu_vm_files(config_.state_dir, uuid);
  SpawnRequest request;
  try {
    request.argv = qemu_command_line(config_, vm->config, *accel_);
  } catch (const std::invalid_argument& e) {
    fail_before_spawn(vm, e.what());
    return;
  }
  request.extra_environment = {"POOLHA_VM_UUID=" + uuid, "POOLHA_VM_NAME=" + vm->config.name};
  request.output = paths.qemu_log;
  // A socket or log left by an earlier run of this VM would mislead us.
  std::error_code ignored;
  std::filesystem::remove(paths.qmp_socket, ignored);
  std::filesystem::remove(paths.qemu_log, ignored);

  // A VM the fencer cannot see must not run: the group is recorded before
  // QEMU is exec'd.
  request.before_exec = [this, uuid](pid_t group) {
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
    registry_.erase(uuid);
    fail_before_spawn(vm, e.what());
    return;
  }
  vm->group = spawned.pid;
  vm->qemu.emplace(io_, std::move(spawned.pidfd));
  vm->phase = Vm::Phase::kStarting;
  spdlog::info("qemu VM {}: QEMU started as process {} ({})", uuid, spawned.pid,
               accelerator_name(*accel_));
  watch_exit(vm);
  vm->deadline_timer.expires_after(config_.start_timeout);
  vm->deadline_timer.async_wait(guarded(vm, [this](const std::shared_ptr<Vm>& locked) {
    if (locked->phase != Vm::Phase::kStarting) return;
    abort_start(locked, fmt::format("QEMU did not report the VM running within {} s",
                                    to_seconds(config_.start_timeout)));
  }));
  connect_qmp(vm);
}

void QemuVmDriver::watch_exit(const std::shared_ptr<Vm>& vm) {
  vm->qemu->async_wait(
      guarded(vm, [this](const std::shared_ptr<Vm>& locked) { on_exited(locked); }));
}

void QemuVmDriver::connect_qmp(const std::shared_ptr<Vm>& vm) {
  vm->qmp = std::make_unique<QmpClient>(io_);
  vm->qmp->set_event_handler(
      [this, weak = std::weak_ptr<Vm>(vm)](const std::string& event, const nlohmann::json& data) {
        if (const auto locked = weak.lock()) on_event(locked, event, data);
      });
  const auto socket = qemu_vm_files(config_.state_dir, vm->config.uuid).qmp_socket;
  vm->qmp_connecting = true;
  vm->qmp->connect(socket, [this, weak = std::weak_ptr<Vm>(vm)](const std::string& error) {
    const auto locked = weak.lock();
    if (!locked || locked->exited) return;
    locked->qmp_connecting = false;
    const bool end_now = std::exchange(locked->end_when_connected, false);
    if (!error.empty()) {
      if (end_now) {
        ask_qemu_to_quit(locked);  // by signal, then
      } else if (locked->phase == Vm::Phase::kStarting) {
        // Not there yet; the start deadline bounds the retries.
        locked->retry_timer.expires_after(kQmpRetryInterval);
        locked->retry_timer.async_wait(
            guarded(locked, [this](const std::shared_ptr<Vm>& again) { connect_qmp(again); }));
      } else if (locked->adopted) {
        spdlog::warn("qemu VM {}: no QMP ({}); a stop falls back to signals", locked->config.uuid,
                     error);
      }
      return;
    }
    locked->qmp_open = true;
    locked->qmp->set_closed_handler([this, weak](const std::string& why) {
      const auto vm_now = weak.lock();
      if (!vm_now) return;
      vm_now->qmp_open = false;
      // Normally QEMU on its way out, just before its exit is seen.
      spdlog::debug("qemu VM {}: {}", vm_now->config.uuid, why);
      finish_if_gone(vm_now);
    });
    if (end_now) {
      ask_qemu_to_quit(locked);
    } else if (locked->phase == Vm::Phase::kStarting) {
      query_running(locked);
    }
  });
}

void QemuVmDriver::query_running(const std::shared_ptr<Vm>& vm) {
  vm->qmp->execute(
      "query-status", nullptr,
      [this, weak = std::weak_ptr<Vm>(vm)](const std::string& error, const nlohmann::json& result) {
        const auto locked = weak.lock();
        if (!locked || locked->phase != Vm::Phase::kStarting) return;
        if (!error.empty()) {
          // A closed connection means QEMU is exiting; its exit reports that.
          if (locked->qmp->ready()) abort_start(locked, "query-status: " + error);
          return;
        }
        if (result.value("status", std::string()) != "running") {
          locked->retry_timer.expires_after(kStatusRetryInterval);
          locked->retry_timer.async_wait(
              guarded(locked, [this](const std::shared_ptr<Vm>& again) { query_running(again); }));
          return;
        }
        locked->phase = Vm::Phase::kRunning;
        locked->deadline_timer.cancel();
        spdlog::info("qemu VM {}: running", locked->config.uuid);
        for (auto& done : std::exchange(locked->start_waiters, {})) {
          complete_soon(std::move(done), VmResult{true, {}});
        }
      });
}

void QemuVmDriver::on_event(const std::shared_ptr<Vm>& vm, const std::string& event,
                            const nlohmann::json& data) {
  spdlog::info("qemu VM {}: QMP event {} {}", vm->config.uuid, event, data.dump());
  vm->evidence.observe(event, data);
  if (vm->evidence.guest_failed() && vm->phase == Vm::Phase::kRunning && !vm->destroying) {
    // A panicked guest may sit paused, and a watchdog may merely reset it;
    // either way this VM has crashed and its domain goes.
    vm->destroying = true;
    spdlog::warn("qemu VM {}: {}; destroying the VM", vm->config.uuid, vm->evidence.describe());
    end_qemu(vm);
  }
}

void QemuVmDriver::abort_start(const std::shared_ptr<Vm>& vm, const std::string& why) {
  spdlog::warn("qemu VM {}: start abandoned: {}", vm->config.uuid, why);
  vm->start_failure = why;
  vm->phase = Vm::Phase::kStopping;
  vm->retry_timer.cancel();
  // Nothing in a VM that never ran is worth a graceful shutdown.
  kill_qemu(vm);
}

void QemuVmDriver::stop(const std::string& uuid, Done done) {
  const auto it = vms_.find(uuid);
  if (it == vms_.end()) {
    complete_soon(std::move(done), VmResult{false, "VM_BAD_POWER_STATE: not running on this host"});
    return;
  }
  const std::shared_ptr<Vm> vm = it->second;
  switch (vm->phase) {
    case Vm::Phase::kWaitingForAccelerator:
      vms_.erase(it);
      for (auto& waiter : std::exchange(vm->start_waiters, {})) {
        complete_soon(std::move(waiter),
                      VmResult{false, "VM_START_FAILED: stopped before QEMU was started"});
      }
      complete_soon(std::move(done), VmResult{true, {}});
      return;
    case Vm::Phase::kStopping:
      vm->stop_waiters.push_back(std::move(done));
      if (vm->kill_failed) kill_qemu(vm);  // try again rather than wait forever
      return;
    case Vm::Phase::kStarting:
    case Vm::Phase::kRunning:
      break;
  }
  spdlog::info("qemu VM {}: stopping", uuid);
  vm->phase = Vm::Phase::kStopping;
  vm->retry_timer.cancel();
  vm->stop_waiters.push_back(std::move(done));
  end_qemu(vm);
}

void QemuVmDriver::end_qemu(const std::shared_ptr<Vm>& vm) {
  if (vm->qmp_connecting) {
    // An adopted VM's QMP connection takes a moment; a quit through it is
    // worth that moment more than a signal (the grace period still counts).
    vm->end_when_connected = true;
  } else {
    ask_qemu_to_quit(vm);
  }
  vm->deadline_timer.expires_after(config_.stop_grace);
  vm->deadline_timer.async_wait(guarded(vm, [this](const std::shared_ptr<Vm>& locked) {
    spdlog::warn("qemu VM {}: QEMU still running {} s after quit; sending SIGKILL",
                 locked->config.uuid, to_seconds(config_.stop_grace));
    kill_qemu(locked);
  }));
}

void QemuVmDriver::ask_qemu_to_quit(const std::shared_ptr<Vm>& vm) {
  if (vm->qmp && vm->qmp->ready()) {
    vm->qmp->execute(
        "quit", nullptr,
        [this, weak = std::weak_ptr<Vm>(vm)](const std::string& error, const nlohmann::json&) {
          const auto locked = weak.lock();
          // QEMU closing the connection on its way out is success.
          if (!locked || error.empty() || !locked->qmp->ready()) return;
          spdlog::warn("qemu VM {}: quit refused ({})", locked->config.uuid, error);
          kill_qemu(locked);
        });
  } else {
    // Without QMP (still starting, or an adopted VM that did not answer):
    // QEMU takes SIGTERM as a request to shut down.
    signal_group_logged(vm->config.uuid, vm->group, SIGTERM);
  }
}

void QemuVmDriver::kill_qemu(const std::shared_ptr<Vm>& vm) {
  signal_group_logged(vm->config.uuid, vm->group, SIGKILL);
  vm->killed = true;
  vm->kill_failed = false;
  vm->deadline_timer.expires_after(config_.kill_wait);
  vm->deadline_timer.async_wait(
      guarded(vm, [this](const std::shared_ptr<Vm>& locked) { fail_stop_waiters(locked); }));
}

void QemuVmDriver::fail_stop_waiters(const std::shared_ptr<Vm>& vm) {
  // The VM still exists: it stays listed, and its exit still ends it.
  vm->kill_failed = true;
  const std::string error =
      fmt::format("VM_STOP_FAILED: QEMU process {} still runs {} s after SIGKILL", vm->group,
                  to_seconds(config_.kill_wait));
  spdlog::error("qemu VM {}: {}", vm->config.uuid, error);
  for (auto& done : std::exchange(vm->stop_waiters, {})) {
    complete_soon(std::move(done), VmResult{false, error});
  }
}

void QemuVmDriver::on_exited(const std::shared_ptr<Vm>& vm) {
  // Anything QEMU started goes with it. Signalled before QEMU is reaped, while
  // its id (the group's) cannot have been reused.
  signal_group_logged(vm->config.uuid, vm->group, SIGKILL);
  const ExitStatus status = vm->qemu->reap();
  vm->exited = true;
  vm->retry_timer.cancel();
  vm->deadline_timer.cancel();
  spdlog::info("qemu VM {}: QEMU exited ({})", vm->config.uuid, status.describe());
  finish_if_gone(vm);
}

void QemuVmDriver::finish_if_gone(const std::shared_ptr<Vm>& vm) {
  // QMP events sent just before the exit are read before the connection's
  // end, so the evidence is complete once both have been seen.
  if (!vm->exited || vm->qmp_open) return;
  const std::string& uuid = vm->config.uuid;
  registry_.erase(uuid);
  vms_.erase(uuid);
  const auto tail = [&] {
    const std::string text = log_tail(qemu_vm_files(config_.state_dir, uuid).qemu_log);
    return text.empty() ? std::string() : ": " + text;
  };
  std::string start_error;
  switch (vm->phase) {
    case Vm::Phase::kWaitingForAccelerator:
      return;
    case Vm::Phase::kStarting:
      start_error = "VM_START_FAILED: QEMU exited during start" + tail();
      break;
    case Vm::Phase::kStopping:
      start_error = vm->start_failure ? "VM_START_FAILED: " + *vm->start_failure + tail()
                                      : "VM_START_FAILED: stopped while starting";
      if (!vm->stop_waiters.empty()) spdlog::info("qemu VM {}: stopped", uuid);
      for (auto& done : std::exchange(vm->stop_waiters, {})) {
        complete_soon(std::move(done), VmResult{true, {}});
      }
      break;
    case Vm::Phase::kRunning:
      spdlog::info("qemu VM {}: halted: {}", uuid, vm->evidence.describe());
      if (listener_) listener_(uuid, vm->evidence.cause());
      return;
  }
  if (!vm->start_waiters.empty()) spdlog::warn("qemu VM {}: {}", uuid, start_error);
  for (auto& done : std::exchange(vm->start_waiters, {})) {
    complete_soon(std::move(done), VmResult{false, start_error});
  }
}

std::vector<std::string> QemuVmDriver::running() const {
  std::vector<std::string> out;
  out.reserve(vms_.size());
  for (const auto& [uuid, vm] : vms_) out.push_back(uuid);
  return out;
}

std::optional<pid_t> QemuVmDriver::process_group(const std::string& uuid) const {
  const auto it = vms_.find(uuid);
  if (it == vms_.end() || it->second->group == 0) return std::nullopt;
  return it->second->group;
}

bool QemuVmDriver::adopted(const std::string& uuid) const {
  const auto it = vms_.find(uuid);
  return it != vms_.end() && it->second->adopted;
}

QemuVmFiles QemuVmDriver::files(const std::string& uuid) const {
  return qemu_vm_files(config_.state_dir, uuid);
}

}  // namespace poolha::vm

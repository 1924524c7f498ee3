// A VM as a QEMU micro-VM, controlled over QMP. Each VM is one QEMU process
// leading its own process group (recorded in the host's VmProcessRegistry
// for the fencer), booting the configured kernel and initramfs with its
// disks on virtio-blk. A start completes when QMP reports the VM running;
// a stop asks QEMU to quit over QMP (a minimal guest ignores an ACPI power
// button) and kills it after a grace period. How a VM ended comes from QMP
// events: only a guest that powered itself off is a guest shutdown.
//
// Accelerator "auto" probes KVM once, at construction, by booting the guest
// kernel (see accelerator_probe.h); starts wait for the probe.
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vm/process_registry.h"
#include "vm/qemu/accelerator_probe.h"
#include "vm/qemu/qemu_command_line.h"
#include "vm/qemu/qemu_driver_config.h"
#include "vm/vm_driver.h"

namespace poolha::vm {

class QemuVmDriver final : public VmDriver {
 public:
  // Adopts the registry's VMs whose QEMU still runs (reconnecting to their
  // QMP sockets) and drops the other entries. Throws std::invalid_argument
  // for a configuration without a kernel or state directory.
  QemuVmDriver(asio::io_context& io, VmProcessRegistry& registry, QemuDriverConfig config);
  // The VMs keep running: a daemon restart must not take them down.
  ~QemuVmDriver() override;

  void start(const VmConfig& vm, Done done) override;
  void stop(const std::string& uuid, Done done) override;
  // Includes VMs whose start waits for the accelerator probe.
  std::vector<std::string> running() const override;
  void set_halt_listener(HaltListener listener) override { listener_ = std::move(listener); }

  // kKvm or kTcg once chosen; nullopt while the probe of "auto" runs.
  std::optional<Accelerator> accelerator() const { return accel_; }
  std::optional<pid_t> process_group(const std::string& uuid) const;
  bool adopted(const std::string& uuid) const;
  QemuVmFiles files(const std::string& uuid) const;

 private:
  struct Vm;

  void choose_accelerator();
  void adopt_recorded_vms();
  void launch(const std::shared_ptr<Vm>& vm);
  void fail_before_spawn(const std::shared_ptr<Vm>& vm, const std::string& error);
  void watch_exit(const std::shared_ptr<Vm>& vm);
  void connect_qmp(const std::shared_ptr<Vm>& vm);
  void query_running(const std::shared_ptr<Vm>& vm);
  void on_event(const std::shared_ptr<Vm>& vm, const std::string& event,
                const nlohmann::json& data);
  void abort_start(const std::shared_ptr<Vm>& vm, const std::string& why);
  // Quit over QMP (SIGTERM without it), SIGKILL after the grace period.
  void end_qemu(const std::shared_ptr<Vm>& vm);
  void ask_qemu_to_quit(const std::shared_ptr<Vm>& vm);
  void kill_qemu(const std::shared_ptr<Vm>& vm);
  void fail_stop_waiters(const std::shared_ptr<Vm>& vm);
  void on_exited(const std::shared_ptr<Vm>& vm);
  void finish_if_gone(const std::shared_ptr<Vm>& vm);
  void complete_soon(Done done, VmResult result);

  asio::io_context& io_;
  VmProcessRegistry& registry_;
  QemuDriverConfig config_;
  HaltListener listener_;
  std::optional<Accelerator> accel_;
  std::unique_ptr<AcceleratorProbe> probe_;
  std::map<std::string, std::shared_ptr<Vm>> vms_;
};

}  // namespace poolha::vm

#include "daemon/host/host_environment.h"

#include "fence/linux_watchdog.h"
#include "fence/process_fencer_client.h"
#include "vm/libvirt/libvirt_vm_driver.h"
#include "vm/process/process_vm_driver.h"
#include "vm/qemu/qemu_vm_driver.h"

namespace poolha::daemon {

std::unique_ptr<fence::Watchdog> make_fencer(const DaemonConfig& config) {
  switch (config.fencing.kind) {
    case FencerKind::kProcess: {
      fence::ProcessFencerClientOptions options;
      options.socket_path = config.fencing.socket;
      return std::make_unique<fence::ProcessFencerClient>(options);
    }
    case FencerKind::kWatchdogDevice: {
      fence::LinuxWatchdogOptions options;
      options.device = config.fencing.device;
      options.state_dir = config.state_dir;
      options.host_name = config.self().name;
      return std::make_unique<fence::LinuxWatchdog>(options);
    }
  }
  throw ConfigError(config.source.string() + ": fencing.kind: unknown fencer");
}

std::filesystem::path vm_registry_dir(const DaemonConfig& config) {
  return config.run_dir / "vm-registry";
}

std::unique_ptr<vm::VmDriver> make_vm_driver(const DaemonConfig& config, asio::io_context& io,
                                             vm::VmProcessRegistry& registry) {
  const std::filesystem::path qemu_dir = config.run_dir / "qemu";
  if (config.vm_driver == "process") {
    vm::ProcessDriverConfig driver;
    driver.command = config.process_vm_command;
    driver.log_dir = config.state_dir / "vm-logs";
    return std::make_unique<vm::ProcessVmDriver>(io, registry, driver);
  }
  if (config.vm_driver == "qemu") {
    vm::QemuDriverConfig driver;
    driver.qemu_binary = config.qemu.binary;
    driver.accel = vm::parse_accelerator(config.qemu.accel);
    driver.kernel = config.qemu.kernel;
    driver.initramfs = config.qemu.initramfs;
    driver.kernel_cmdline = config.qemu.kernel_cmdline;
    driver.disks = config.qemu.disks;
    driver.vcpus = config.qemu.vcpus;
    driver.default_memory_mib = config.qemu.default_memory_mib;
    driver.state_dir = qemu_dir;
    return std::make_unique<vm::QemuVmDriver>(io, registry, driver);
  }
  if (config.vm_driver == "libvirt") {
    vm::LibvirtDriverConfig driver;
    driver.uri = config.libvirt.uri;
    driver.domain_template = config.libvirt.domain_template;
    return std::make_unique<vm::LibvirtVmDriver>(io, driver);
  }
  throw ConfigError(config.source.string() + ": vm.driver: unknown driver '" + config.vm_driver +
                    "'");
}

}  // namespace poolha::daemon

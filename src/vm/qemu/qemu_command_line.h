// The QEMU command line of one VM, built from the driver's configuration.
//
// Machine: `-M pc -nodefaults`. Both it and `-M microvm` boot a stock kernel
// under TCG, but microvm needs the host's TSC frequency on the guest's
// command line (tsc_early_khz=...) or boots hang at TSC calibration, and
// that frequency is not reliably known on every host; pc needs nothing from
// the host, and its virtio-blk-pci disks work with the stock virtio_pci
// driver. It costs a fraction of a second more per boot.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vm/qemu/qemu_driver_config.h"
#include "vm/vm_driver.h"

namespace poolha::vm {

// Where a VM's files live in the driver's state directory.
struct QemuVmFiles {
  std::filesystem::path qmp_socket;
  std::filesystem::path serial_log;
  std::filesystem::path qemu_log;
};
QemuVmFiles qemu_vm_files(const std::filesystem::path& state_dir, const std::string& uuid);

// `accel` is the resolved accelerator (kKvm or kTcg). Throws
// std::invalid_argument for a bad template or a socket path too long for a
// unix socket.
std::vector<std::string> qemu_command_line(const QemuDriverConfig& config, const VmConfig& vm,
                                           Accelerator accel);

}  // namespace poolha::vm

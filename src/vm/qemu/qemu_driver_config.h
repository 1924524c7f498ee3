// Configuration of the QEMU VM driver: what every micro-VM of this host
// boots, where its control socket and logs live, and how long each step of
// its life may take. Text fields that name a VM are templates ({uuid},
// {name}, {memory_mib}; see vm/process/vm_template.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace poolha::vm {

enum class Accelerator {
  kAuto,  // KVM when a probe boot shows it can run the guest kernel, else TCG
  kKvm,
  kTcg,
};

// "auto", "kvm" or "tcg"; throws std::invalid_argument for anything else.
Accelerator parse_accelerator(std::string_view text);
std::string_view accelerator_name(Accelerator accel);

struct QemuDriverConfig {
  std::string qemu_binary = "qemu-system-x86_64";
  Accelerator accel = Accelerator::kAuto;
  std::filesystem::path kernel;                  // required
  std::filesystem::path initramfs;               // none when empty
  std::string kernel_cmdline = "console=ttyS0";  // template; the serial log shows ttyS0
  // One virtio-blk disk per entry, in order: a raw image file, or an NBD
  // export written nbd://HOST:PORT/EXPORT. Templates.
  std::vector<std::string> disks;
  std::uint32_t vcpus = 1;
  std::uint64_t default_memory_mib = 128;  // for a VM whose memory is 0
  // Holds <uuid>.qmp (the QMP socket), <uuid>.serial.log (the guest's
  // console) and <uuid>.qemu.log (QEMU's own messages). Required; created.
  std::filesystem::path state_dir;
  std::vector<std::string> extra_args;  // appended to QEMU's command line; templates
  Duration start_timeout = 30s;         // spawn to QMP reporting the VM running
  Duration stop_grace = 10s;            // QMP quit to SIGKILL
  Duration kill_wait = 5s;              // SIGKILL to reporting the stop as failed
  Duration kvm_probe_timeout = 10s;     // accel auto: how long the probe boot may take
};

}  // namespace poolha::vm

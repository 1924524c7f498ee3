// A minimal guest for QEMU micro-VMs, built on the spot from what the host
// has: busybox-static, the host kernel's virtio modules and a /init script,
// packed with cpio. Nothing is downloaded. Tests and the demo boot it.
//
// /init mounts /proc, /sys and /dev, loads the virtio modules so disks show
// up as /dev/vd*, prints "poolha-guest-disks: vda ..." and then
// "poolha-guest-up <poolha_vm>" on the console, and waits. The kernel command line steers it (the
// kernel hands unknown key=value words to /init as environment variables):
//   poolha_vm=ID                 echoed in the marker line (use {uuid})
//   poolha_poweroff_after=SECS   power the guest off after SECS seconds
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace poolha::vm {

inline constexpr std::string_view kGuestUpMarker = "poolha-guest-up";

struct MicrovmInitramfsSpec {
  std::filesystem::path output;                    // the archive to write (uncompressed newc cpio)
  std::filesystem::path busybox = "/bin/busybox";  // must be statically linked
  // The guest kernel's /lib/modules/<release>; empty for a guest without
  // disks. A virtio module that is neither there nor built into the kernel
  // is an error.
  std::filesystem::path kernel_modules;
  std::string cpio = "cpio";
};

// Throws std::runtime_error (or std::system_error) saying what is missing
// or which step failed.
void build_microvm_initramfs(const MicrovmInitramfsSpec& spec);

// /lib/modules/<release> for a kernel image named vmlinuz-<release>; empty
// when the name does not say.
std::filesystem::path modules_for_kernel(const std::filesystem::path& kernel);

}  // namespace poolha::vm

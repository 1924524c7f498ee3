// poolha-microvm-initramfs: writes the minimal micro-VM guest (see
// microvm_initramfs.h) for the QEMU driver's `initramfs` setting.
//
//   poolha-microvm-initramfs OUTPUT [KERNEL]
//
// With KERNEL (a vmlinuz-<release> image) the guest carries that kernel's
// virtio modules and can use disks.
#include <exception>
#include <iostream>

#include "vm/qemu/microvm_initramfs.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: " << argv[0] << " OUTPUT [KERNEL]\n";
    return 2;
  }
  poolha::vm::MicrovmInitramfsSpec spec;
  spec.output = argv[1];
  if (argc == 3) {
    spec.kernel_modules = poolha::vm::modules_for_kernel(argv[2]);
    if (spec.kernel_modules.empty()) {
      std::cerr << argv[0] << ": cannot tell the release of " << argv[2]
                << " (expected vmlinuz-<release>)\n";
      return 2;
    }
  }
  try {
    poolha::vm::build_microvm_initramfs(spec);
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << '\n';
    return 1;
  }
  std::cout << spec.output.string() << '\n';
  return 0;
}

// What the QEMU tests need from the machine (QEMU, a kernel, busybox, cpio)
// and the guest they boot, built once per test binary. A test skips when
// skip_reason() names something missing, and fails on build_error().
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "process_test_support.h"
#include "vm/qemu/microvm_initramfs.h"

namespace poolha::vm::testing {

inline std::filesystem::path find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// The newest /boot/vmlinuz-* that can be read.
inline std::filesystem::path find_guest_kernel() {
  std::filesystem::path best;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/boot", error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("vmlinuz-", 0) != 0 || ::access(entry.path().c_str(), R_OK) != 0) continue;
    if (best.empty() || name > best.filename().string()) best = entry.path();
  }
  return best;
}

class MicroVmGuest {
 public:
  static MicroVmGuest& get() {
    static MicroVmGuest guest;
    return guest;
  }
  // Empty when the QEMU tests can run.
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& build_error() const { return build_error_; }
  const std::filesystem::path& kernel() const { return kernel_; }
  const std::filesystem::path& initramfs() const { return initramfs_; }

 private:
  MicroVmGuest() {
    if (find_on_path("qemu-system-x86_64").empty()) {
      skip_reason_ = "qemu-system-x86_64 is not installed (Debian: qemu-system-x86)";
      return;
    }
    if (find_on_path("cpio").empty()) {
      skip_reason_ = "cpio is not installed";
      return;
    }
    kernel_ = find_guest_kernel();
    const std::filesystem::path modules = modules_for_kernel(kernel_);
    if (kernel_.empty() || !std::filesystem::is_directory(modules)) {
      skip_reason_ =
          "no readable /boot/vmlinuz-* with its /lib/modules (Debian: linux-image-amd64)";
      return;
    }
    if (!std::filesystem::is_regular_file("/bin/busybox")) {
      skip_reason_ = "/bin/busybox is missing (Debian: busybox-static)";
      return;
    }
    initramfs_ = dir_.path() / "guest.cpio";
    try {
      build_microvm_initramfs({initramfs_, "/bin/busybox", modules});
    } catch (const std::exception& e) {
      build_error_ = std::string("cannot build the guest initramfs: ") + e.what();
    }
  }

  ScratchDir dir_;
  std::string skip_reason_;
  std::string build_error_;
  std::filesystem::path kernel_;
  std::filesystem::path initramfs_;
};

}  // namespace poolha::vm::testing

#include "vm/qemu/microvm_initramfs.h"

#include <sys/wait.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "vm/process/spawn.h"

namespace poolha::vm {
namespace {

// In load order: each needs the ones before it.
const std::vector<std::string> kVirtioModules = {
    "virtio_ring",           "virtio",     "virtio_pci_legacy_dev",
    "virtio_pci_modern_dev", "virtio_pci", "virtio_blk"};

constexpr const char* kInitScript = R"(#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s /bin
export PATH=/bin
for module in $(cat /lib/modules/load-order); do
  insmod /lib/modules/$module.ko || echo "poolha-guest: insmod $module failed"
done
echo "poolha-guest-disks:" $(ls /sys/block | grep '^vd')
echo "poolha-guest-up $poolha_vm"
if [ -n "$poolha_poweroff_after" ]; then
  sleep "$poolha_poweroff_after"
  echo "poolha-guest: powering off"
  poweroff -f
fi
while true; do sleep 3600; done
)";

// module name -> path relative to the modules directory, from modules.dep
// ("kernel/drivers/virtio/virtio.ko: deps...").
std::map<std::string, std::string> modules_by_name(const std::filesystem::path& dir,
                                                   const std::string& index) {
  std::map<std::string, std::string> out;
  std::ifstream in(dir / index);
  std::string line;
  while (std::getline(in, line)) {
    const std::string path = line.substr(0, line.find(':'));
    std::string name = std::filesystem::path(path).filename().string();
    name = name.substr(0, name.find(".ko"));
    if (!name.empty()) out.emplace(name, path);
  }
  return out;
}

void copy_replacing(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

void run_cpio(const MicrovmInitramfsSpec& spec, const std::filesystem::path& root,
              const std::vector<std::string>& entries) {
  const std::filesystem::path list = root.parent_path() / (root.filename().string() + ".list");
  const std::filesystem::path log = root.parent_path() / (root.filename().string() + ".log");
  {
    std::ofstream out(list);
    for (const auto& entry : entries) out << entry << '\n';
  }
  SpawnRequest request;
  request.argv = {spec.cpio,
                  "--create",
                  "--format=newc",
                  "--quiet",
                  "--directory=" + root.string(),
                  "--file=" + spec.output.string()};
  request.input = list;
  request.output = log;
  const SpawnedProcess cpio = spawn_session_leader(request);
  int status = 0;
  while (::waitpid(cpio.pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::stringstream messages;
  messages << std::ifstream(log).rdbuf();
  std::filesystem::remove(list);
  std::filesystem::remove(log);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("cpio failed writing " + spec.output.string() + ": " + messages.str());
  }
}

}  // namespace

std::filesystem::path modules_for_kernel(const std::filesystem::path& kernel) {
  const std::string name = kernel.filename().string();
  const std::string prefix = "vmlinuz-";
  if (name.rfind(prefix, 0) != 0) return {};
  return std::filesystem::path("/lib/modules") / name.substr(prefix.size());
}

void build_microvm_initramfs(const MicrovmInitramfsSpec& spec) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(spec.busybox)) {
    throw std::runtime_error("busybox not found at " + spec.busybox.string() +
                             " (Debian: busybox-static)");
  }
  const fs::path root = spec.output.parent_path() / (spec.output.filename().string() + ".root");
  fs::remove_all(root);
  fs::create_directories(root / "bin");
  fs::create_directories(root / "lib/modules");
  std::vector<std::string> entries = {
      ".", "bin", "lib", "lib/modules", "bin/busybox", "init", "lib/modules/load-order"};
  copy_replacing(spec.busybox, root / "bin/busybox");
  {
    std::ofstream init(root / "init");
    init << kInitScript;
  }
  fs::permissions(root / "init", fs::perms::owner_all | fs::perms::group_read |
                                     fs::perms::group_exec | fs::perms::others_read |
                                     fs::perms::others_exec);

  std::ofstream load_order(root / "lib/modules/load-order");
  if (!spec.kernel_modules.empty()) {
    const auto loadable = modules_by_name(spec.kernel_modules, "modules.dep");
    const auto built_in = modules_by_name(spec.kernel_modules, "modules.builtin");
    for (const auto& module : kVirtioModules) {
      if (built_in.contains(module)) continue;
      const auto it = loadable.find(module);
      if (it == loadable.end()) {
        throw std::runtime_error("kernel module " + module + " is neither in " +
                                 (spec.kernel_modules / "modules.dep").string() + " nor built in");
      }
      if (!it->second.ends_with(".ko")) {
        throw std::runtime_error("kernel module " + it->second +
                                 " is compressed; busybox insmod needs a plain .ko");
      }
      copy_replacing(spec.kernel_modules / it->second, root / "lib/modules" / (module + ".ko"));
      entries.push_back("lib/modules/" + module + ".ko");
      load_order << module << '\n';
    }
  }
  load_order.close();
  run_cpio(spec, root, entries);
  fs::remove_all(root);
}

}  // namespace poolha::vm

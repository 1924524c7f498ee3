// Row 1 with real guests: a QEMU micro-VM (the host's kernel and a busybox
// guest, TCG when KVM cannot run it) boots on a slave, the slave loses
// power, and the guest boots again on a survivor. The guest's console log
// is the evidence that it booted: /init prints "poolha-guest-up <uuid>".
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <gtest/gtest.h>

#include "integration_pool.h"
#include "vm/qemu/microvm_initramfs.h"

namespace poolha::integration {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

bool has_kernel() {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator("/boot", error)) {
    if (entry.path().filename().string().rfind("vmlinuz-", 0) == 0) return true;
  }
  return false;
}

// Whether the guest's console under the host's directory says it booted.
bool guest_booted_on(const localpool::HostPlan& host, const std::string& vm_uuid) {
  const std::string marker = std::string(vm::kGuestUpMarker) + " " + vm_uuid;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(host.dir, error)) {
    if (entry.path().filename() != vm_uuid + ".serial.log") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

class QemuFailoverTest : public IntegrationTest {};

TEST_F(QemuFailoverTest, MicroVmBootsAgainOnASurvivorAfterPowerLoss) {
  if (!has_kernel()) GTEST_SKIP() << "qemu micro-VMs need a kernel: no /boot/vmlinuz-* here";
  if (!on_path("qemu-system-x86_64")) GTEST_SKIP() << "qemu micro-VMs need qemu-system-x86_64";
  if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "the micro-VM guest needs busybox-static";

  PoolSetup setup;
  setup.vm_kind = localpool::VmKind::kQemu;
  setup.vms = {localpool::VmSpec{"vm-1", 128, "restart", std::nullopt}};
  IntegrationPool& p = make_pool(setup);
  p.create_and_start();
  p.enable_ha();
  p.start_protected_vms_on(1);
  const std::string uuid = p.vm_uuid("vm-1");
  p.watch_until(
      {0}, {0, 1, 2}, [&] { return guest_booted_on(p.host(1), uuid); }, p.vm_boot_deadline(),
      "vm-1's guest to boot on host-2");

  EXPECT_EQ(p.pool().kill_host(1), 1u);
  const std::vector<std::string> survivors = names({0, 2});
  std::size_t new_home = 0;
  p.watch_until(
      {0, 2}, {0, 2},
      [&] {
        const auto seen = p.snapshot(0);
        if (!seen || !localpool::protected_vms_run_on(*seen, survivors)) return false;
        const std::vector<std::string> hosts = p.hosts_running_vm(uuid);
        if (hosts.size() != 1 || hosts.front() == "host-2") return false;
        new_home = hosts.front() == "host-1" ? 0 : 2;
        return guest_booted_on(p.host(new_home), uuid);
      },
      p.failover_deadline(), "vm-1's guest to boot again on host-1 or host-3");
  std::cout << "vm-1 booted again on " << p.host(new_home).name << std::endl;
}

}  // namespace
}  // namespace poolha::integration

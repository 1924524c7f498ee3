// The QEMU command line and the accelerator setting, without running QEMU.
#include "vm/qemu/qemu_command_line.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace poolha::vm {
namespace {

QemuDriverConfig base_config() {
  QemuDriverConfig c;
  c.kernel = "/guest/vmlinuz";
  c.initramfs = "/guest/initrd.cpio";
  c.kernel_cmdline = "console=ttyS0 poolha_vm={uuid}";
  c.state_dir = "/run/poolha/qemu";
  return c;
}

// The value following `option`, or "" when the option is absent.
std::string value_of(const std::vector<std::string>& args, const std::string& option,
                     std::size_t occurrence = 0) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == option && occurrence-- == 0) return args[i + 1];
  }
  return {};
}

bool has(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

TEST(QemuCommandLineTest, DescribesThePcMachineItsConsoleAndQmp) {
  const auto args =
      qemu_command_line(base_config(), VmConfig{"vm-1", "web", 200ull << 20}, Accelerator::kTcg);
  EXPECT_EQ(args.front(), "qemu-system-x86_64");
  EXPECT_EQ(value_of(args, "-machine"), "pc");
  EXPECT_EQ(value_of(args, "-accel"), "tcg");
  EXPECT_TRUE(has(args, "-nodefaults"));
  EXPECT_EQ(value_of(args, "-m"), "200");
  EXPECT_EQ(value_of(args, "-smp"), "1");
  EXPECT_EQ(value_of(args, "-kernel"), "/guest/vmlinuz");
  EXPECT_EQ(value_of(args, "-initrd"), "/guest/initrd.cpio");
  EXPECT_EQ(value_of(args, "-append"), "console=ttyS0 poolha_vm=vm-1");
  EXPECT_EQ(value_of(args, "-chardev"), "file,id=serial0,path=/run/poolha/qemu/vm-1.serial.log");
  EXPECT_EQ(value_of(args, "-qmp"), "unix:/run/poolha/qemu/vm-1.qmp,server=on,wait=off");
  EXPECT_FALSE(has(args, "-cpu")) << "TCG keeps its default CPU model";
  EXPECT_FALSE(has(args, "-uuid")) << "vm-1 is not a UUID";
}

TEST(QemuCommandLineTest, KvmUsesTheHostCpuAndUuidsReachTheGuest) {
  const std::string uuid = "0f8c2d1e-3b4a-4c5d-9e6f-112233445566";
  QemuDriverConfig c = base_config();
  c.default_memory_mib = 96;
  const auto args = qemu_command_line(c, VmConfig{uuid, "db", 0}, Accelerator::kKvm);
  EXPECT_EQ(value_of(args, "-accel"), "kvm");
  EXPECT_EQ(value_of(args, "-cpu"), "host");
  EXPECT_EQ(value_of(args, "-uuid"), uuid);
  EXPECT_EQ(value_of(args, "-m"), "96") << "a VM without memory gets the default";
}

TEST(QemuCommandLineTest, DisksAreFilesOrNbdExportsOnVirtioBlk) {
  QemuDriverConfig c = base_config();
  c.disks = {"/srv/disks/{uuid},a.img", "nbd://10.0.0.5:10809/{name}-data"};
  c.extra_args = {"-device", "pvpanic"};
  const auto args = qemu_command_line(c, VmConfig{"vm-1", "web", 0}, Accelerator::kTcg);
  EXPECT_EQ(value_of(args, "-drive", 0), "file=/srv/disks/vm-1,,a.img,format=raw,if=none,id=disk0")
      << "a comma in a path is doubled for QEMU";
  EXPECT_EQ(value_of(args, "-device", 0), "virtio-blk-pci,drive=disk0");
  EXPECT_EQ(value_of(args, "-drive", 1),
            "file=nbd://10.0.0.5:10809/web-data,format=raw,if=none,id=disk1");
  EXPECT_EQ(value_of(args, "-device", 1), "virtio-blk-pci,drive=disk1");
  EXPECT_EQ(args.back(), "pvpanic");
}

TEST(QemuCommandLineTest, RefusesWhatCannotWork) {
  QemuDriverConfig c = base_config();
  EXPECT_THROW(qemu_command_line(c, VmConfig{"vm-1", "web", 0}, Accelerator::kAuto),
               std::invalid_argument);
  c.state_dir = "/" + std::string(120, 'd');
  EXPECT_THROW(qemu_command_line(c, VmConfig{"vm-1", "web", 0}, Accelerator::kTcg),
               std::invalid_argument)
      << "the QMP socket path does not fit a unix socket address";
  c = base_config();
  c.kernel_cmdline = "console=ttyS0 id={vm}";
  EXPECT_THROW(qemu_command_line(c, VmConfig{"vm-1", "web", 0}, Accelerator::kTcg),
               std::invalid_argument);
}

TEST(QemuCommandLineTest, AcceleratorSettingParsesItsThreeValues) {
  EXPECT_EQ(parse_accelerator("auto"), Accelerator::kAuto);
  EXPECT_EQ(parse_accelerator("kvm"), Accelerator::kKvm);
  EXPECT_EQ(parse_accelerator("tcg"), Accelerator::kTcg);
  EXPECT_THROW(parse_accelerator("hvf"), std::invalid_argument);
  EXPECT_EQ(accelerator_name(Accelerator::kTcg), "tcg");
}

}  // namespace
}  // namespace poolha::vm

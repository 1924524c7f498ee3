#include "vm/qemu/qemu_command_line.h"

#include <sys/un.h>

#include <cctype>
#include <stdexcept>

#include "vm/process/vm_template.h"

namespace poolha::vm {
namespace {

// QEMU option values are comma-separated key=value lists; a literal comma
// in a value is written twice.
std::string option_value(const std::string& text) {
  std::string out;
  for (const char c : text) {
    out.push_back(c);
    if (c == ',') out.push_back(',');
  }
  return out;
}

// 8-4-4-4-12 hex digits. Checked by hand: std::regex trips GCC 12's
// maybe-uninitialized warning under the sanitizer build.
bool is_uuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (dash_position ? c != '-' : std::isxdigit(c) == 0) return false;
  }
  return true;
}

}  // namespace

QemuVmFiles qemu_vm_files(const std::filesystem::path& state_dir, const std::string& uuid) {
  return QemuVmFiles{state_dir / (uuid + ".qmp"), state_dir / (uuid + ".serial.log"),
                     state_dir / (uuid + ".qemu.log")};
}

std::vector<std::string> qemu_command_line(const QemuDriverConfig& config, const VmConfig& vm,
                                           Accelerator accel) {
  if (accel == Accelerator::kAuto) {
    throw std::invalid_argument("qemu_command_line needs a resolved accelerator");
  }
  const QemuVmFiles files = qemu_vm_files(config.state_dir, vm.uuid);
  if (files.qmp_socket.string().size() >= sizeof(sockaddr_un::sun_path)) {
    throw std::invalid_argument("QMP socket path " + files.qmp_socket.string() +
                                " is too long for a unix socket; use a shorter state_dir");
  }

  std::vector<std::string> args = {config.qemu_binary,
                                   "-name",
                                   option_value(vm.uuid),
                                   "-machine",
                                   "pc",
                                   "-accel",
                                   std::string(accelerator_name(accel)),
                                   "-nodefaults",
                                   "-no-user-config",
                                   "-display",
                                   "none",
                                   "-m",
                                   std::to_string(memory_mib(vm, config.default_memory_mib)),
                                   "-smp",
                                   std::to_string(config.vcpus)};
  // Under KVM the guest sees the host's CPU; TCG's default model is the one
  // it emulates fastest.
  if (accel == Accelerator::kKvm) args.insert(args.end(), {"-cpu", "host"});
  if (is_uuid(vm.uuid)) args.insert(args.end(), {"-uuid", vm.uuid});

  args.insert(args.end(), {"-kernel", config.kernel.string()});
  if (!config.initramfs.empty()) args.insert(args.end(), {"-initrd", config.initramfs.string()});
  args.insert(args.end(), {"-append", expand_vm_template(config.kernel_cmdline, vm)});

  args.insert(args.end(), {"-chardev", "file,id=serial0,path=" + option_value(files.serial_log),
                           "-serial", "chardev:serial0"});
  args.insert(args.end(),
              {"-qmp", "unix:" + option_value(files.qmp_socket) + ",server=on,wait=off"});

  for (std::size_t i = 0; i < config.disks.size(); ++i) {
    // A nbd:// URI goes to QEMU's own NBD client as it is; anything else is
    // a file. Both hold raw images.
    const std::string id = "disk" + std::to_string(i);
    const std::string source = expand_vm_template(config.disks[i], vm);
    args.insert(args.end(),
                {"-drive", "file=" + option_value(source) + ",format=raw,if=none,id=" + id,
                 "-device", "virtio-blk-pci,drive=" + id});
  }
  for (const auto& extra : config.extra_args) args.push_back(expand_vm_template(extra, vm));
  return args;
}

}  // namespace poolha::vm

#include "localpool/host_config_text.h"

#include <fmt/format.h>

namespace poolha::localpool {
namespace {

std::string toml_string_array(const std::vector<std::string>& items) {
  std::string text = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += ", ";
    text += toml_string(items[i]);
  }
  return text + "]";
}

// The process driver's VM: a shell loop whose output shows, second by
// second, where the VM ran. The VM's name, the host and the log file are
// passed as positional parameters so the script needs no quoting and no
// braces (the driver expands {name} in each argument).
std::vector<std::string> process_vm_command(const PoolPlan& plan, const HostPlan& host) {
  return {"/bin/sh",
          "-c",
          "while :; do echo \"$(date +%T) $0 running on $1\" >> \"$2\"; sleep 1; done",
          "{name}",
          host.name,
          (plan.vm_log_dir / "{name}.log").string()};
}

// The disk-writer VM: its disk is its export on the storage server, named
// after the VM ({name} is expanded by the driver), its acknowledgements go to
// the host's own ack log.
std::vector<std::string> disk_writer_vm_command(const PoolPlan& plan, const HostPlan& host) {
  return {plan.poolha_binary.string(),
          "disk-writer",
          "--disk",
          fmt::format("nbd://{}:{}/disk-{{name}}", plan.storage.server_address,
                      plan.storage.server_port),
          "--vm",
          "{uuid}",
          "--ack-log",
          host.ack_log.string()};
}

}  // namespace

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string render_host_config(const PoolPlan& plan, std::size_t host_index,
                               const std::string& password_hash) {
  const HostPlan& self = plan.hosts.at(host_index);
  std::string text = fmt::format(
      "# {} of a local poolha pool ({}).\n"
      "[host]\n"
      "uuid = {}\n"
      "state_dir = {}\n"
      "run_dir = {}\n\n"
      "[pool]\n"
      "uuid = {}\n"
      "name = \"local\"\n"
      "secret_file = {}\n"
      "default_ha_timeout = {}\n",
      self.name, plan.work_dir.string(), toml_string(self.uuid),
      toml_string(self.state_dir.string()), toml_string(self.run_dir.string()),
      toml_string(plan.pool_uuid), toml_string(plan.secret_file.string()), plan.ha_timeout_seconds);
  for (const HostPlan& host : plan.hosts) {
    text += fmt::format(
        "\n[[pool.host]]\n"
        "uuid = {}\n"
        "name = {}\n"
        "heartbeat = \"{}:{}\"\n"
        "api = \"{}:{}\"\n"
        "memory_mib = {}\n",
        toml_string(host.uuid), toml_string(host.name), host.address, host.heartbeat_port,
        host.address, host.api_port, plan.host_memory_mib);
  }
  text += fmt::format(
      "\n[heartbeat_sr]\n"
      "uuid = {}\n"
      "name_label = {}\n"
      "device = {}\n"
      "direct_io = {}\n"
      "metadata_area_mib = {}\n\n"
      "[fencing]\n"
      "kind = \"process\"\n"
      "socket = {}\n\n"
      "[api]\n"
      "user = \"root\"\n"
      "password_hash = {}\n\n"
      "[isolation]\n"
      "addresses = {}\n\n"
      "[vm]\n",
      toml_string(plan.sr_uuid), toml_string(plan.sr_name_label),
      toml_string(plan.heartbeat_sr_device()), plan.heartbeat_sr_direct_io ? "true" : "false",
      plan.metadata_area_mib, toml_string(self.fencer_socket.string()), toml_string(password_hash),
      toml_string_array(plan.isolation_addresses));
  if (plan.vm_kind == VmKind::kProcess || plan.vm_kind == VmKind::kDiskWriter) {
    text += fmt::format(
        "driver = \"process\"\n"
        "command = {}\n",
        toml_string_array(plan.vm_kind == VmKind::kProcess ? process_vm_command(plan, self)
                                                           : disk_writer_vm_command(plan, self)));
  } else {
    text += fmt::format(
        "driver = \"qemu\"\n"
        "accel = \"auto\"\n"
        "kernel = {}\n"
        "initramfs = {}\n"
        "kernel_cmdline = \"console=ttyS0 poolha_vm={{uuid}}\"\n"
        "default_memory_mib = 128\n",
        toml_string(plan.qemu_kernel.string()), toml_string(plan.guest_initramfs.string()));
  }
  return text;
}

}  // namespace poolha::localpool

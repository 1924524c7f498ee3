#include "localpool/pool_plan.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "api/random_uuid.h"
#include "common/units.h"
#include "daemon/store/heartbeat_sr_layout.h"

namespace poolha::localpool {
namespace {

// Export names end up in URIs, file names and QEMU option strings: keep them
// to characters that need no escaping in any of them.
void check_disk_vm_name(const std::string& name) {
  const bool fits =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (!fits) {
    throw std::invalid_argument("VM name '" + name +
                                "' cannot name an NBD export: use 1..64 letters, digits, '.', "
                                "'_' or '-'");
  }
}

NbdExport make_export(const PlanInputs& inputs, const std::filesystem::path& dir,
                      const std::string& name, std::uint64_t size_bytes) {
  NbdExport entry;
  entry.name = name;
  entry.image = dir / (name + ".img");
  entry.size_bytes = size_bytes;
  entry.uri =
      "nbd://" + inputs.storage_server_address + ":" + std::to_string(inputs.nbd_port) + "/" + name;
  return entry;
}

StoragePlan make_nbd_storage_plan(const PlanInputs& inputs, std::uint64_t metadata_area_mib) {
  if (inputs.storage_namespace.empty() || inputs.storage_server_address.empty()) {
    throw std::invalid_argument("NBD storage needs the storage namespace and server address");
  }
  if (inputs.host_storage_addresses.size() != inputs.host_count) {
    throw std::invalid_argument("NBD storage needs one storage address per host");
  }
  if (inputs.nbd_port == 0) throw std::invalid_argument("NBD storage needs a port");
  if (inputs.vm_disk_mib < 1 || inputs.vm_disk_mib > 65536) {
    throw std::invalid_argument("a VM disk has 1..65536 MiB, not " +
                                std::to_string(inputs.vm_disk_mib));
  }
  StoragePlan storage;
  storage.kind = Storage::kNbdNamespace;
  storage.server_namespace = inputs.storage_namespace;
  storage.server_address = inputs.storage_server_address;
  storage.server_port = inputs.nbd_port;
  storage.dir = inputs.work_dir / "storage";
  storage.server_log = storage.dir / "nbd-server.log";
  storage.heartbeat_sr =
      make_export(inputs, storage.dir, "heartbeat-sr",
                  daemon::heartbeat_sr_layout(inputs.host_count, metadata_area_mib).device_size());
  for (const std::string& vm : inputs.vm_names) {
    check_disk_vm_name(vm);
    NbdExport disk = make_export(inputs, storage.dir, "disk-" + vm, inputs.vm_disk_mib * kMiB);
    if (!storage.vm_disks.emplace(vm, std::move(disk)).second) {
      throw std::invalid_argument("two VMs are named '" + vm + "'; each needs its own disk");
    }
  }
  return storage;
}

}  // namespace

std::string PoolPlan::heartbeat_sr_device() const {
  return storage.kind == Storage::kNbdNamespace ? storage.heartbeat_sr.uri : heartbeat_sr.string();
}

std::string PoolPlan::vm_disk_uri(const std::string& vm_name) const {
  if (storage.kind != Storage::kNbdNamespace) {
    throw std::invalid_argument("VM " + vm_name +
                                " has no disk: VM disks exist only with NBD storage");
  }
  const auto disk = storage.vm_disks.find(vm_name);
  if (disk == storage.vm_disks.end()) {
    throw std::invalid_argument("no VM named '" + vm_name + "' has a disk in this pool");
  }
  return disk->second.uri;
}

std::vector<NbdExport> PoolPlan::nbd_exports() const {
  if (storage.kind != Storage::kNbdNamespace) return {};
  std::vector<NbdExport> exports = {storage.heartbeat_sr};
  for (const auto& entry : storage.vm_disks) exports.push_back(entry.second);
  return exports;
}

PoolPlan make_pool_plan(const PlanInputs& inputs) {
  if (inputs.host_count < 1 || inputs.host_count > 16) {
    throw std::invalid_argument("a local pool has 1..16 hosts, not " +
                                std::to_string(inputs.host_count));
  }
  if (inputs.host_addresses.size() != inputs.host_count) {
    throw std::invalid_argument("a local pool needs one address per host");
  }
  if (inputs.ha_timeout_seconds < 2 || inputs.ha_timeout_seconds > 3600) {
    throw std::invalid_argument("the HA timeout must be 2..3600 seconds, not " +
                                std::to_string(inputs.ha_timeout_seconds));
  }
  if (!inputs.host_namespaces.empty() && inputs.host_namespaces.size() != inputs.host_count) {
    throw std::invalid_argument("a local pool in namespaces needs one namespace per host");
  }
  PoolPlan plan;
  plan.work_dir = inputs.work_dir;
  plan.pool_uuid = api::random_uuid();
  plan.sr_uuid = api::random_uuid();
  plan.ha_timeout_seconds = inputs.ha_timeout_seconds;
  plan.host_memory_mib = inputs.host_memory_mib;
  plan.secret_file = inputs.work_dir / "secret";
  plan.password_file = inputs.work_dir / "api-password";
  plan.storage.kind = inputs.storage;
  if (inputs.storage == Storage::kNbdNamespace) {
    plan.storage = make_nbd_storage_plan(inputs, plan.metadata_area_mib);
    plan.heartbeat_sr = plan.storage.heartbeat_sr.image;
  } else {
    plan.heartbeat_sr = inputs.work_dir / "heartbeat-sr.img";
  }
  plan.heartbeat_sr_direct_io = inputs.heartbeat_sr_direct_io;
  plan.vm_log_dir = inputs.work_dir / "vm-logs";
  plan.isolation_addresses = {inputs.isolation_address};
  plan.vm_kind = inputs.vm_kind;
  if (inputs.vm_kind == VmKind::kDiskWriter) {
    if (inputs.storage != Storage::kNbdNamespace) {
      throw std::invalid_argument("disk-writer VMs need their disks on NBD storage");
    }
    if (inputs.poolha_binary.empty()) {
      throw std::invalid_argument("disk-writer VMs need the poolha binary");
    }
    plan.poolha_binary = inputs.poolha_binary;
  }
  if (inputs.vm_kind == VmKind::kQemu) {
    plan.qemu_kernel = inputs.qemu_kernel;
    plan.guest_initramfs = inputs.work_dir / "guest.cpio";
  }

  std::vector<std::string> uuids;
  for (std::size_t i = 0; i < inputs.host_count; ++i) uuids.push_back(api::random_uuid());
  std::sort(uuids.begin(), uuids.end());
  for (std::size_t i = 0; i < inputs.host_count; ++i) {
    HostPlan host;
    host.index = i;
    host.name = "host-" + std::to_string(i + 1);
    host.uuid = uuids[i];
    host.address = inputs.host_addresses[i];
    host.heartbeat_port = inputs.heartbeat_port;
    host.api_port = inputs.api_port;
    host.dir = inputs.work_dir / host.name;
    host.config_file = host.dir / "host.toml";
    host.state_dir = host.dir / "state";
    host.run_dir = host.dir / "run";
    host.fencer_socket = host.run_dir / "fencer.sock";
    host.vm_registry = host.run_dir / "vm-registry";
    host.fencer_log = host.dir / "fencer.log";
    host.daemon_log = host.dir / "daemon.log";
    if (inputs.vm_kind == VmKind::kDiskWriter) host.ack_log = host.dir / "acks.log";
    if (!inputs.host_namespaces.empty()) host.network_namespace = inputs.host_namespaces[i];
    if (inputs.storage == Storage::kNbdNamespace) {
      host.storage_address = inputs.host_storage_addresses[i];
    }
    plan.hosts.push_back(std::move(host));
  }
  return plan;
}

}  // namespace poolha::localpool

// What a local pool is made of before anything runs: its hosts (names,
// uuids, addresses, ports), its storage, and where each file of the work
// directory goes. Pure data; the configuration text and the processes are
// made from it.
//
//   WORK/secret             the pool secret (heartbeat and message HMACs)
//   WORK/api-password       "root" and the API password, as an xe -pwf file
//   WORK/heartbeat-sr.img   the heartbeat SR, a plain file every host opens (kLocalFile)
//   WORK/storage/           kNbdNamespace: what the NBD server serves, and its log:
//     heartbeat-sr.img      the heartbeat SR, export "heartbeat-sr"
//     disk-<vm>.img         each VM's disk, export "disk-<vm>"
//     nbd-server.log
//   WORK/vm-logs/           what the process driver's VMs write, one file per VM
//   WORK/guest.cpio         the micro-VM guest (qemu VMs only)
//   WORK/host-N/host.toml   host N's configuration
//   WORK/host-N/state/      its state_dir
//   WORK/host-N/run/        its run_dir (fencer socket, VM registry)
//   WORK/host-N/fencer.log, daemon.log
//   WORK/host-N/acks.log    kDiskWriter: what its VMs wrote durably (the oracle reads it)
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolha::localpool {

enum class Isolation {
  kLoopback,    // every host in this network namespace, on 127.0.0.(10 + N)
  kNamespaces,  // every host in its own network namespace on a bridge (root only)
};

enum class VmKind {
  kProcess,  // a shell loop that appends a line to WORK/vm-logs/<name>.log each second
  kQemu,     // a QEMU micro-VM booting the host's kernel and a busybox guest
  // `poolha disk-writer` appending records to the VM's own NBD disk and, once
  // each is durable, a line to its host's ack log: what the disk oracle
  // judges (needs Storage::kNbdNamespace)
  kDiskWriter,
};

enum class Storage {
  kLocalFile,     // the heartbeat SR is a file in the work directory every host opens
  kNbdNamespace,  // the heartbeat SR and one disk per VM are served over NBD from a storage
                  // namespace on a storage network of their own (needs kNamespaces)
};

struct VmSpec {
  std::string name;
  std::uint64_t memory_mib = 64;
  std::string priority = "restart";  // ha-restart-priority at creation
  std::optional<int> order;
};

struct HostPlan {
  std::size_t index = 0;  // 0-based; the host's name is host-(index + 1)
  std::string name;
  std::string uuid;
  std::string address;
  std::uint16_t heartbeat_port = 0;
  std::uint16_t api_port = 0;
  std::filesystem::path dir;
  std::filesystem::path config_file;
  std::filesystem::path state_dir;
  std::filesystem::path run_dir;
  std::filesystem::path fencer_socket;
  std::filesystem::path vm_registry;  // <run_dir>/vm-registry, as the daemon uses it
  std::filesystem::path fencer_log;
  std::filesystem::path daemon_log;
  std::filesystem::path ack_log;  // kDiskWriter: WORK/host-N/acks.log, as a local disk
  std::string network_namespace;  // kNamespaces: the namespace the host's processes run in
  std::string storage_address;    // kNbdNamespace: its address on the storage network (eth1)
};

// One raw image the NBD server exports.
struct NbdExport {
  std::string name;             // the export name
  std::filesystem::path image;  // the file it serves
  std::uint64_t size_bytes = 0;
  std::string uri;  // nbd://ADDRESS:PORT/NAME, as the hosts reach it
};

struct StoragePlan {
  Storage kind = Storage::kLocalFile;
  // The rest is for kNbdNamespace only: one server, one port, every export.
  std::string server_namespace;
  std::string server_address;
  std::uint16_t server_port = 0;
  std::filesystem::path dir;         // WORK/storage
  std::filesystem::path server_log;  // WORK/storage/nbd-server.log
  NbdExport heartbeat_sr;
  std::map<std::string, NbdExport> vm_disks;  // by VM name
};

struct PoolPlan {
  std::filesystem::path work_dir;
  std::string pool_uuid;
  std::string sr_uuid;
  std::string sr_name_label = "MGMT-HA";
  int ha_timeout_seconds = 10;
  std::uint64_t host_memory_mib = 4096;
  std::filesystem::path secret_file;
  std::filesystem::path password_file;
  // The heartbeat SR's file: what every host opens (kLocalFile) or what the
  // NBD server serves (kNbdNamespace).
  std::filesystem::path heartbeat_sr;
  bool heartbeat_sr_direct_io = true;
  std::uint64_t metadata_area_mib = 16;  // the SR's pool database area
  std::filesystem::path vm_log_dir;
  std::vector<std::string> isolation_addresses;
  VmKind vm_kind = VmKind::kProcess;
  std::filesystem::path poolha_binary;    // kDiskWriter
  std::filesystem::path qemu_kernel;      // kQemu
  std::filesystem::path guest_initramfs;  // kQemu
  std::vector<HostPlan> hosts;
  StoragePlan storage;

  // The hosts' [heartbeat_sr] device: the file, or the NBD URI.
  std::string heartbeat_sr_device() const;
  // The NBD URI of the VM's disk. Throws std::invalid_argument for a VM that
  // has no disk: an unknown name, or a pool whose storage is kLocalFile.
  std::string vm_disk_uri(const std::string& vm_name) const;
  // Every export the NBD server serves: the heartbeat SR, then the VM disks
  // in name order. Empty for kLocalFile.
  std::vector<NbdExport> nbd_exports() const;
};

struct PlanInputs {
  std::filesystem::path work_dir;
  std::size_t host_count = 3;
  int ha_timeout_seconds = 10;
  std::uint64_t host_memory_mib = 4096;
  std::vector<std::string> host_addresses;  // one per host
  std::string isolation_address;
  std::uint16_t heartbeat_port = 694;
  std::uint16_t api_port = 80;
  VmKind vm_kind = VmKind::kProcess;
  std::filesystem::path qemu_kernel;
  std::filesystem::path poolha_binary;  // kDiskWriter: runs `disk-writer`
  bool heartbeat_sr_direct_io = true;
  std::vector<std::string> host_namespaces;  // one per host in namespaces, else empty

  Storage storage = Storage::kLocalFile;
  // kNbdNamespace:
  std::string storage_namespace;
  std::string storage_server_address;
  std::vector<std::string> host_storage_addresses;  // one per host
  std::uint16_t nbd_port = 10809;
  std::vector<std::string> vm_names;  // one disk each; letters, digits, '.', '_', '-'
  std::uint64_t vm_disk_mib = 16;
};

// Fresh random uuids for the pool, its SR and its hosts; the host uuids are
// sorted so that host-1 is also the first host in the statefile's order.
// Throws std::invalid_argument for a host count outside 1..16, a wrong
// number of addresses or namespaces, or (kNbdNamespace) a missing storage
// address, a VM name unfit for an export name, or two VMs of one name.
PoolPlan make_pool_plan(const PlanInputs& inputs);

}  // namespace poolha::localpool

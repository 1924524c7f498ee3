// What a local pool is made of before anything runs: its hosts (names,
// uuids, addresses, ports), and where each file of the work directory goes.
// Pure data; the configuration text and the processes are made from it.
//
//   WORK/secret             the pool secret (heartbeat and message HMACs)
//   WORK/api-password       "root" and the API password, as an xe -pwf file
//   WORK/heartbeat-sr.img   the heartbeat SR, a plain file every host opens
//   WORK/vm-logs/           what the process driver's VMs write, one file per VM
//   WORK/guest.cpio         the micro-VM guest (qemu VMs only)
//   WORK/host-N/host.toml   host N's configuration
//   WORK/host-N/state/      its state_dir
//   WORK/host-N/run/        its run_dir (fencer socket, VM registry)
//   WORK/host-N/fencer.log, daemon.log
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
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
  std::filesystem::path heartbeat_sr;
  bool heartbeat_sr_direct_io = true;
  std::filesystem::path vm_log_dir;
  std::vector<std::string> isolation_addresses;
  VmKind vm_kind = VmKind::kProcess;
  std::filesystem::path qemu_kernel;      // kQemu
  std::filesystem::path guest_initramfs;  // kQemu
  std::vector<HostPlan> hosts;
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
  bool heartbeat_sr_direct_io = true;
};

// Fresh random uuids for the pool, its SR and its hosts; the host uuids are
// sorted so that host-1 is also the first host in the statefile's order.
// Throws std::invalid_argument for a host count outside 1..16 or a wrong
// number of addresses.
PoolPlan make_pool_plan(const PlanInputs& inputs);

}  // namespace poolha::localpool

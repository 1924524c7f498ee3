// The daemon's configuration file (TOML), parsed and checked before anything
// starts. Every key is known: an unknown or misspelt key is an error, because
// a silently ignored setting on an HA host is worse than a refused start.
// docs/daemon-config.md lists the keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/time.h"

namespace poolha::daemon {

struct Endpoint {
  std::string address;  // numeric IPv4 address
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// One host of the pool, as every host's configuration lists it.
struct PoolHostConfig {
  std::string uuid;
  std::string name;
  Endpoint heartbeat;                     // where its UDP heartbeats are received
  Endpoint api;                           // its JSON-RPC API (and failover messages)
  std::uint64_t memory_mib = 0;           // for VMs and the hypervisor together
  std::uint64_t memory_overhead_mib = 0;  // the hypervisor's own share
  std::uint32_t weight = 1;               // partition strength
};

struct HeartbeatSrConfig {
  std::string uuid;
  std::string name_label;
  std::string device;  // a file, a block device, or nbd://host:port/export
  bool direct_io = true;
  std::uint64_t metadata_area_mib = 16;
};

enum class FencerKind { kProcess, kWatchdogDevice };

struct FencingConfig {
  FencerKind kind = FencerKind::kProcess;
  std::filesystem::path socket;  // kProcess: where `poolha fencer` listens
  std::filesystem::path device;  // kWatchdogDevice: e.g. /dev/watchdog
};

struct ApiConfig {
  Endpoint listen;
  std::string user = "root";
  std::string password_hash;  // `poolha hash-password` makes one
  bool forward_to_master = true;
};

// [vm] keys of the qemu driver (docs/vm-drivers.md); templates may use
// {uuid}, {name} and {memory_mib}.
struct QemuSettings {
  std::string binary = "qemu-system-x86_64";
  std::string accel = "auto";  // "auto", "kvm" or "tcg"
  std::filesystem::path kernel;
  std::filesystem::path initramfs;  // none when empty
  std::string kernel_cmdline = "console=ttyS0";
  std::vector<std::string> disks;  // raw image files or nbd://HOST:PORT/EXPORT
  std::uint32_t vcpus = 1;
  std::uint64_t default_memory_mib = 128;
};

// [vm] keys of the libvirt driver.
struct LibvirtSettings {
  std::string uri = "qemu:///system";
  std::filesystem::path domain_template;  // domain XML with {uuid}, {name}, {memory_kib}
};

struct DaemonConfig {
  std::filesystem::path source;  // the file it was read from
  std::string host_uuid;         // this host; one of `hosts`
  std::filesystem::path state_dir;
  std::filesystem::path run_dir;

  std::string pool_uuid;
  std::string pool_name;
  std::filesystem::path secret_file;
  std::vector<PoolHostConfig> hosts;  // sorted by uuid: the index is the host index

  std::optional<std::string> heartbeat_interface;  // bind to this device as well
  HeartbeatSrConfig heartbeat_sr;
  FencingConfig fencing;
  ApiConfig api;
  std::vector<std::string> isolation_addresses;  // empty: the default gateway

  std::string vm_driver = "process";
  std::vector<std::string> process_vm_command;  // process driver: argv template
  QemuSettings qemu;                            // qemu driver
  LibvirtSettings libvirt;                      // libvirt driver

  Duration default_ha_timeout = 60s;  // T when `pool-ha-enable` gives none
  Duration fence_latency = 200ms;     // fence request to every VM process stopped
  double clock_drift = 0.01;

  // This host's index in `hosts` and its entry.
  std::size_t self_index() const;
  const PoolHostConfig& self() const { return hosts.at(self_index()); }
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ConfigError naming the file, the key and what is wrong.
DaemonConfig load_config(const std::filesystem::path& file);
DaemonConfig parse_config(const std::string& text, const std::filesystem::path& source);

// "10.0.0.1:694" -> {10.0.0.1, 694}; throws ConfigError saying what is wrong.
Endpoint parse_endpoint(const std::string& text);

}  // namespace poolha::daemon

#include "localpool/pool_plan.h"

#include <algorithm>
#include <stdexcept>

#include "api/random_uuid.h"

namespace poolha::localpool {

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
  PoolPlan plan;
  plan.work_dir = inputs.work_dir;
  plan.pool_uuid = api::random_uuid();
  plan.sr_uuid = api::random_uuid();
  plan.ha_timeout_seconds = inputs.ha_timeout_seconds;
  plan.host_memory_mib = inputs.host_memory_mib;
  plan.secret_file = inputs.work_dir / "secret";
  plan.password_file = inputs.work_dir / "api-password";
  plan.heartbeat_sr = inputs.work_dir / "heartbeat-sr.img";
  plan.heartbeat_sr_direct_io = inputs.heartbeat_sr_direct_io;
  plan.vm_log_dir = inputs.work_dir / "vm-logs";
  plan.isolation_addresses = {inputs.isolation_address};
  plan.vm_kind = inputs.vm_kind;
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
    plan.hosts.push_back(std::move(host));
  }
  return plan;
}

}  // namespace poolha::localpool

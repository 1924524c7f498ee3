#include "daemon/store/pool_create.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "daemon/store/heartbeat_sr_device.h"
#include "io/io_error.h"
#include "pool/field_rules.h"
#include "pool/master_token.h"
#include "pool/metadata_log_recovery.h"
#include "pool/metadata_log_writer.h"
#include "wire/statefile.h"

namespace poolha::daemon {

namespace {

// VM uuids only need to be unique, not secret.
std::string random_uuid() {
  std::random_device source;
  std::array<std::uint8_t, 16> bytes{};
  for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(source() & 0xFF);
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += fmt::format("{:02x}", bytes[i]);
  }
  return text;
}

std::int64_t mib_to_bytes(std::uint64_t mib, const std::string& what) {
  if (mib > static_cast<std::uint64_t>(pool::kMaxMemoryBytes >> 20)) {
    throw PoolCreateError(
        fmt::format("{}: {} MiB is more than the pool database holds", what, mib));
  }
  return static_cast<std::int64_t>(mib << 20);
}

std::string_view pool_state_name(wire::PoolState state) {
  switch (state) {
    case wire::PoolState::kNone:
      return "none";
    case wire::PoolState::kInit:
      return "HA being enabled";
    case wire::PoolState::kActive:
      return "HA enabled";
    case wire::PoolState::kInvalid:
      return "HA being disabled";
  }
  return "unknown";
}

void write_durably(io::BlockDevice& device, std::uint64_t offset,
                   const std::vector<std::uint8_t>& bytes) {
  device.write(offset, bytes);
  device.flush();
}

}  // namespace

pool::Database initial_pool_database(const DaemonConfig& config, const std::vector<NewVm>& vms) {
  pool::Pool pool_record;
  pool_record.uuid = config.pool_uuid;
  pool_record.name_label = config.pool_name;
  pool_record.master = config.host_uuid;
  pool_record.ha_timeout =
      std::chrono::duration_cast<std::chrono::seconds>(config.default_ha_timeout).count();

  std::vector<pool::Host> hosts;
  for (const PoolHostConfig& configured : config.hosts) {
    pool::Host host;
    host.uuid = configured.uuid;
    host.name_label = configured.name;
    host.address = configured.api.address;
    host.memory_total = mib_to_bytes(configured.memory_mib, "host " + configured.name);
    host.memory_overhead = mib_to_bytes(configured.memory_overhead_mib, "host " + configured.name);
    host.enabled = true;
    host.ha_weight = configured.weight;
    hosts.push_back(std::move(host));
  }

  pool::Sr heartbeat;
  heartbeat.uuid = config.heartbeat_sr.uuid;
  heartbeat.name_label = config.heartbeat_sr.name_label;
  heartbeat.type = is_nbd_uri(config.heartbeat_sr.device) ? "nbd" : "file";
  heartbeat.shared = true;
  heartbeat.heartbeat = true;

  std::set<std::string> names;
  std::vector<pool::Vm> records;
  for (const NewVm& vm : vms) {
    if (!names.insert(vm.name).second) {
      throw PoolCreateError(fmt::format("two VMs are named '{}'", vm.name));
    }
    pool::Vm record;
    record.uuid = random_uuid();
    record.name_label = vm.name;
    record.power_state = pool::PowerState::kHalted;
    record.memory_static_max = mib_to_bytes(vm.memory_mib, "VM " + vm.name);
    record.ha_restart_priority = vm.priority;
    record.order = vm.order;
    // A VM's disks live on shared storage here, so any host can start it.
    record.agile = true;
    records.push_back(std::move(record));
  }

  pool::Result<pool::Database> database = pool::Database::from_records(
      std::move(pool_record), std::move(hosts), {std::move(heartbeat)}, std::move(records));
  if (!database) {
    throw PoolCreateError(
        fmt::format("the new pool's database is invalid: {}", database.error().message()));
  }
  return std::move(database).value();
}

CreatedPool create_pool(const DaemonConfig& config, const PoolCreateOptions& options) {
  const HeartbeatSrLayout layout = heartbeat_sr_layout(config);
  const bool created =
      create_heartbeat_sr_file_if_missing(config.heartbeat_sr, layout.device_size());
  const std::shared_ptr<io::BlockDevice> device = open_heartbeat_sr_device(config.heartbeat_sr);
  CreatedPool result = create_pool_on(*device, config, options);
  result.created_device_file = created;
  return result;
}

CreatedPool create_pool_on(io::BlockDevice& device, const DaemonConfig& config,
                           const PoolCreateOptions& options) {
  CreatedPool result{.database = initial_pool_database(config, options.vms),
                     .generation = 0,
                     .layout = heartbeat_sr_layout(config),
                     .device = device.name(),
                     .created_device_file = false,
                     .overwritten = std::nullopt};
  const HeartbeatSrLayout& layout = result.layout;
  check_heartbeat_sr_size(device, layout);

  const std::vector<std::uint8_t> area_image =
      device.read(layout.metadata_area.base, layout.metadata_area.size);
  const pool::RecoveredLog recovered =
      pool::recover_metadata_log(layout.log_geometry(), area_image);
  if (recovered.newest) {
    const pool::Pool& existing = recovered.newest->database.pool();
    const std::string what = fmt::format(
        "pool {} ({}) at generation {}, {} hosts and {} VMs", existing.uuid, existing.name_label,
        recovered.newest->generation, recovered.newest->database.hosts().size(),
        recovered.newest->database.vms().size());
    if (!options.force) {
      throw PoolCreateError(fmt::format(
          "the metadata area of {} already holds the database of {}; refusing to overwrite it "
          "(--force replaces it, losing every record it holds)",
          device.name(), what));
    }
    result.overwritten = what;
  }

  const std::size_t global_size =
      wire::layout_for(static_cast<std::uint16_t>(kMaxHosts)).global_size;
  const wire::Decoded<wire::GlobalSection> global = wire::decode_global(
      device.read(0, std::min<std::uint64_t>(global_size, layout.statefile_reserved.size)));
  if (global && !options.force &&
      (global.value().pool_state == wire::PoolState::kInit ||
       global.value().pool_state == wire::PoolState::kActive)) {
    throw PoolCreateError(fmt::format(
        "the statefile on {} says {} (generation {}): a pool is using this heartbeat SR; "
        "refusing to wipe it (--force does)",
        device.name(), pool_state_name(global.value().pool_state), global.value().generation));
  }

  write_durably(device, layout.statefile_reserved.base,
                std::vector<std::uint8_t>(layout.statefile_reserved.size, 0));

  pool::MetadataLogWriter writer(pool::MasterToken::for_elected_master(config.host_uuid),
                                 layout.log_geometry(), pool::Snapshot{result.database, 0},
                                 recovered);
  pool::Result<pool::PendingWrite> pending = writer.take_over();
  if (!pending) {
    throw PoolCreateError(
        fmt::format("cannot write the new pool's database: {}", pending.error().message()));
  }
  for (const pool::AreaWrite& write : pending.value().writes) {
    write_durably(device, layout.metadata_area.base + write.offset, write.bytes);
  }
  writer.acknowledge(pending.value().generation);
  result.database = writer.database();
  result.generation = writer.generation();
  return result;
}

}  // namespace poolha::daemon

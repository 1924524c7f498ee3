// Creating a pool: the first database of a new pool, written to the metadata
// area of the heartbeat SR the configuration names, as `poolha pool-create`
// does once before the daemons first start. It refuses to overwrite a
// database that is already there (or a statefile with HA enabled on it)
// unless forced: wiping a running pool must never be one mistyped path away.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "io/block_device.h"
#include "pool/database.h"
#include "pool/generation.h"
#include "pool/restart_priority.h"

namespace poolha::daemon {

// A VM the new pool starts with, halted.
struct NewVm {
  std::string name;
  std::uint64_t memory_mib = 0;
  pool::RestartPriority priority = pool::RestartPriority::kUnprotected;
  std::int64_t order = 0;
};

struct PoolCreateOptions {
  std::vector<NewVm> vms;
  // Overwrite a valid database in the area and a statefile with HA enabled.
  bool force = false;
};

struct CreatedPool {
  pool::Database database;
  pool::Generation generation = 0;
  HeartbeatSrLayout layout;
  std::string device;
  bool created_device_file = false;
  // What --force overwrote, e.g. "pool <uuid> (<name>) at generation 12".
  std::optional<std::string> overwritten;
};

class PoolCreateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database a new pool starts with: the pool (this host master, HA off,
// the configured default HA timeout), every configured host, the heartbeat
// SR and `vms` (new random uuids). Throws PoolCreateError for values the
// database refuses and for duplicate VM names.
pool::Database initial_pool_database(const DaemonConfig& config, const std::vector<NewVm>& vms);

// Creates the device file if it is a path that does not exist yet, then
// writes the initial database on it (create_pool_on). Throws PoolCreateError
// for a refusal, io::IoError for a device that fails.
CreatedPool create_pool(const DaemonConfig& config, const PoolCreateOptions& options);

// The same on an open device: checks its size and what it holds, zeroes the
// statefile's space, and writes the database as its first master's take-over
// snapshot, each write durable before the next.
CreatedPool create_pool_on(io::BlockDevice& device, const DaemonConfig& config,
                           const PoolCreateOptions& options);

}  // namespace poolha::daemon

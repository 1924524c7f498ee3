#include "chaos/chaos_options.h"

#include <algorithm>

#include "localpool/namespace_network.h"
#include "localpool/nbd_storage_server.h"
#include "localpool/network_path_cut.h"

namespace poolha::chaos {

std::string validate_chaos_options(const ChaosOptions& options) {
  if (options.hosts < 2 || options.hosts > 16) {
    return "--hosts must be 2..16 (a fault must leave a host to fail over to)";
  }
  if (options.faults < 1 || options.faults > 10000) return "--faults must be 1..10000";
  if (options.ha_timeout_seconds < 5 || options.ha_timeout_seconds > 600) {
    return "--timeout must be 5..600 seconds (the daemon refuses a T below 5 s)";
  }
  if (options.vms_per_host < 1 || options.vms_per_host > 8) return "--vms-per-host must be 1..8";
  if (options.settle_timeout_seconds < 0 || options.settle_timeout_seconds > 86400) {
    return "--settle-timeout must be 0 (derived from T) to 86400 seconds";
  }
  if (options.settle_timeout_seconds > 0 &&
      options.settle_timeout_seconds < 2 * options.ha_timeout_seconds) {
    return "--settle-timeout must be at least 2 T, or 0";
  }
  return "";
}

int default_settle_timeout_seconds(int ha_timeout_seconds) {
  return 12 * ha_timeout_seconds + 60;
}

std::uint64_t vm_disk_mib_for(std::size_t faults, int ha_timeout_seconds) {
  // A fault cycle (gap, fault, settle) takes about 2 T; 3 T of records
  // (5 KiB/s) per fault, twice over for margin, plus the set-up. Not more:
  // every boot of a writer reads its whole disk to find the end of its log.
  const std::uint64_t seconds =
      static_cast<std::uint64_t>(faults) * 3 * static_cast<std::uint64_t>(ha_timeout_seconds) + 600;
  const std::uint64_t mib = (seconds * 5 * 1024 * 2) / (1024 * 1024) + 1;
  return std::clamp<std::uint64_t>(mib, 16, 4096);
}

std::string machine_unavailable_reason() {
  if (const std::string why = localpool::NamespaceNetwork::unavailable_reason(); !why.empty()) {
    return why;
  }
  if (const std::string why = localpool::path_cut_unavailable_reason(); !why.empty()) return why;
  if (const std::string why = localpool::NbdStorageServer::unavailable_reason(); !why.empty()) {
    return why;
  }
  return "";
}

ScheduleOptions schedule_options(const ChaosOptions& options) {
  ScheduleOptions s;
  s.seed = options.seed;
  s.hosts = options.hosts;
  s.faults = options.faults;
  s.ha_timeout_seconds = options.ha_timeout_seconds;
  s.clock_jumps = options.clock_jumps;
  return s;
}

}  // namespace poolha::chaos

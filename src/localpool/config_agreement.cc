#include "localpool/config_agreement.h"

#include <set>
#include <stdexcept>
#include <string>

namespace poolha::localpool {
namespace {

bool same_hosts(const std::vector<daemon::PoolHostConfig>& a,
                const std::vector<daemon::PoolHostConfig>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].uuid != b[i].uuid || a[i].name != b[i].name || a[i].heartbeat != b[i].heartbeat ||
        a[i].api != b[i].api || a[i].memory_mib != b[i].memory_mib ||
        a[i].memory_overhead_mib != b[i].memory_overhead_mib || a[i].weight != b[i].weight) {
      return false;
    }
  }
  return true;
}

std::string text_of(const daemon::Endpoint& endpoint) {
  return endpoint.address + ":" + std::to_string(endpoint.port);
}

}  // namespace

void check_configs_agree(const std::vector<daemon::DaemonConfig>& configs) {
  if (configs.empty()) throw std::runtime_error("no host configurations to compare");
  const daemon::DaemonConfig& first = configs.front();
  std::set<std::string> seen_hosts;
  for (const daemon::DaemonConfig& config : configs) {
    const std::string name = config.source.string();
    auto differ = [&](const std::string& what) {
      throw std::runtime_error(name + " and " + first.source.string() + " differ in " + what);
    };
    if (config.pool_uuid != first.pool_uuid) differ("pool.uuid");
    if (config.secret_file != first.secret_file) differ("pool.secret_file");
    if (config.default_ha_timeout != first.default_ha_timeout) differ("pool.default_ha_timeout");
    if (!same_hosts(config.hosts, first.hosts)) differ("the [[pool.host]] list");
    if (config.heartbeat_sr.uuid != first.heartbeat_sr.uuid ||
        config.heartbeat_sr.device != first.heartbeat_sr.device ||
        config.heartbeat_sr.metadata_area_mib != first.heartbeat_sr.metadata_area_mib) {
      differ("[heartbeat_sr]");
    }
    if (config.api.password_hash != first.api.password_hash) differ("api.password_hash");
    if (!seen_hosts.insert(config.host_uuid).second) {
      throw std::runtime_error(name + ": a second file for host " + config.host_uuid);
    }
  }
  std::set<std::string> endpoints;
  for (const daemon::PoolHostConfig& host : first.hosts) {
    for (const std::string& endpoint :
         {"udp " + text_of(host.heartbeat), "tcp " + text_of(host.api)}) {
      if (!endpoints.insert(endpoint).second) {
        throw std::runtime_error("two hosts share the endpoint " + endpoint);
      }
    }
  }
}

}  // namespace poolha::localpool

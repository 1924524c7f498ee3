#include "daemon/store/heartbeat_sr_layout.h"

#include <stdexcept>

#include <fmt/format.h>

#include "common/host_set.h"
#include "daemon/config.h"
#include "wire/statefile.h"

namespace poolha::daemon {

namespace {

constexpr std::uint64_t kMaxMetadataAreaMib = 1024;

std::uint64_t round_up(std::uint64_t value, std::uint64_t unit) {
  return (value + unit - 1) / unit * unit;
}

}  // namespace

HeartbeatSrLayout heartbeat_sr_layout(std::size_t host_count, std::uint64_t metadata_area_mib) {
  if (host_count < 1 || host_count > kMaxHosts) {
    throw std::invalid_argument(
        fmt::format("a pool has 1..{} hosts, not {}", kMaxHosts, host_count));
  }
  if (metadata_area_mib < 1 || metadata_area_mib > kMaxMetadataAreaMib) {
    throw std::invalid_argument(fmt::format("the metadata area is 1..{} MiB, not {} MiB",
                                            kMaxMetadataAreaMib, metadata_area_mib));
  }
  const std::uint64_t statefile_size =
      wire::layout_for(static_cast<std::uint16_t>(host_count)).total_size();
  HeartbeatSrLayout layout;
  layout.statefile = {0, statefile_size};
  layout.statefile_reserved = {0, round_up(statefile_size, kStatefileReservationUnit)};
  layout.metadata_area = {layout.statefile_reserved.size, metadata_area_mib << 20};
  return layout;
}

HeartbeatSrLayout heartbeat_sr_layout(const DaemonConfig& config) {
  return heartbeat_sr_layout(config.hosts.size(), config.heartbeat_sr.metadata_area_mib);
}

}  // namespace poolha::daemon

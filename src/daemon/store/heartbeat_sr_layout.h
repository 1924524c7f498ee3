// Where the statefile and the pool database's metadata area lie on the
// heartbeat SR. Every host computes the same layout from the pool size and
// the configured metadata area size, so they agree on the offsets without
// storing them on the device.
#pragma once

#include <cstddef>
#include <cstdint>

#include "io/storage_jobs.h"
#include "pool/log_geometry.h"

namespace poolha::daemon {

struct DaemonConfig;

// The statefile's space is rounded up to this, so a pool that grows by a few
// hosts usually keeps its metadata area where it was.
inline constexpr std::uint64_t kStatefileReservationUnit = std::uint64_t{1} << 20;
// Metadata log records are padded to this, the block devices' alignment, so
// every metadata write is an aligned O_DIRECT write.
inline constexpr std::uint32_t kMetadataBlockSize = 4096;

struct HeartbeatSrLayout {
  // The statefile exactly as the wire layout sizes it, at offset 0: the region
  // the membership engine's statefile jobs work on.
  io::DeviceRegion statefile;
  // The space kept for the statefile: statefile.size rounded up to 1 MiB.
  // Zeroed when a pool is created.
  io::DeviceRegion statefile_reserved;
  // Right after the reserved statefile space.
  io::DeviceRegion metadata_area;

  // The smallest device that holds both.
  std::uint64_t device_size() const { return metadata_area.base + metadata_area.size; }
  pool::LogGeometry log_geometry() const {
    return pool::LogGeometry{metadata_area.size, kMetadataBlockSize};
  }
};

// host_count 1..256 and metadata_area_mib 1..1024 (the configuration's
// ranges); anything else throws std::invalid_argument.
HeartbeatSrLayout heartbeat_sr_layout(std::size_t host_count, std::uint64_t metadata_area_mib);
HeartbeatSrLayout heartbeat_sr_layout(const DaemonConfig& config);

}  // namespace poolha::daemon

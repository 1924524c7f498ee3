// Opening the heartbeat SR's device as the configuration names it: an
// nbd://host:port/export URI, or a path to a block device or an image file.
#pragma once

#include <cstdint>
#include <memory>

#include "daemon/config.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "io/block_device.h"

namespace poolha::daemon {

bool is_nbd_uri(const std::string& device);

// Throws io::IoError when the device cannot be opened (or refuses O_DIRECT
// while direct_io is on).
std::shared_ptr<io::BlockDevice> open_heartbeat_sr_device(const HeartbeatSrConfig& sr);

// For the daemon: as above, except that an NBD server that cannot be reached
// yet is no error. The device then fails every request until the server
// answers, and the daemon waits meanwhile (in emergency mode once boot_wait
// has passed) instead of exiting and being started again and again. The
// export found later must hold `layout`.
std::shared_ptr<io::BlockDevice> open_heartbeat_sr_device_waiting_for_server(
    const HeartbeatSrConfig& sr, const HeartbeatSrLayout& layout);

// For a path that does not exist yet: creates a regular file of `size` zero
// bytes (durably) and returns true. Returns false for an existing path or an
// NBD URI, which are never created or resized. Throws io::IoError on failure.
bool create_heartbeat_sr_file_if_missing(const HeartbeatSrConfig& sr, std::uint64_t size);

// Throws io::IoError naming both sizes when the device cannot hold the layout.
void check_heartbeat_sr_size(const io::BlockDevice& device, const HeartbeatSrLayout& layout);

}  // namespace poolha::daemon

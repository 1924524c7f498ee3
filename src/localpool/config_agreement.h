// The hosts of one pool must describe the same pool: a host that lists a
// different secret file, SR or set of peers would form a pool of its own.
// This checks parsed host configurations against each other.
#pragma once

#include <vector>

#include "daemon/config.h"

namespace poolha::localpool {

// Throws std::runtime_error naming the first disagreement: a different
// [pool] part or heartbeat SR, two files for one host, or two hosts sharing
// a heartbeat or API endpoint.
void check_configs_agree(const std::vector<daemon::DaemonConfig>& configs);

}  // namespace poolha::localpool

// Checks of a MembershipConfig, done once when the driver is built.
#include "daemon/membership/membership_config.h"

#include <algorithm>

#include <fmt/format.h>

namespace poolha::daemon {

void check_membership_config(const MembershipConfig& c) {
  auto fail = [](const std::string& text) { throw MembershipConfigError("membership: " + text); };
  if (c.host_count < 1 || c.host_count > kMaxHosts) {
    fail(fmt::format("host_count {} is outside 1..{}", c.host_count, kMaxHosts));
  }
  if (c.self >= c.host_count) {
    fail(fmt::format("self index {} is not a host of a {}-host pool", c.self, c.host_count));
  }
  if (c.host_uuids.size() != c.host_count) {
    fail(fmt::format("{} host uuids for {} hosts", c.host_uuids.size(), c.host_count));
  }
  if (!std::is_sorted(c.host_uuids.begin(), c.host_uuids.end())) {
    fail("host uuids are not sorted (the host index is the position in the sorted list)");
  }
  if (std::adjacent_find(c.host_uuids.begin(), c.host_uuids.end()) != c.host_uuids.end()) {
    fail("host uuids contain a duplicate");
  }
  if (c.heartbeat_endpoints.size() != c.host_count) {
    fail(fmt::format("{} heartbeat endpoints for {} hosts", c.heartbeat_endpoints.size(),
                     c.host_count));
  }
  if (c.secret.empty()) fail("the pool secret is empty");
  if (c.weights.size() != c.host_count) {
    fail(fmt::format("{} weights for {} hosts", c.weights.size(), c.host_count));
  }
  for (std::size_t h = 0; h < c.weights.size(); ++h) {
    if (c.weights[h] < 1) fail(fmt::format("weight of host {} is 0 (must be >= 1)", h));
  }
  if (c.poll_interval <= Duration::zero()) fail("poll_interval must be positive");
  if (c.poll_timeout <= Duration::zero()) fail("poll_timeout must be positive");
}

}  // namespace poolha::daemon

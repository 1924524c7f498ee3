// What the membership driver needs to know about the pool and this host: the
// engine's static configuration (hosts, secret, weights), where heartbeats go,
// the environment bounds the timing is checked against, and how to probe
// isolation. The daemon fills it from its configuration file; tests fill it
// directly. check_membership_config() refuses anything the engine would
// reject later with a less helpful message.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <asio/ip/address_v4.hpp>
#include <asio/ip/udp.hpp>

#include "common/host_set.h"
#include "common/time.h"
#include "ha/timing.h"
#include "io/udp_transport.h"
#include "wire/statefile.h"

namespace poolha::daemon {

struct MembershipConfig {
  std::uint16_t host_count = 0;  // 1..256
  HostIndex self = 0;
  std::vector<wire::Uuid> host_uuids;  // host_count entries, sorted: index = host index
  // Where each host receives heartbeats; host_count entries (this host's own
  // entry is not used: it receives on `heartbeat_binding`).
  std::vector<asio::ip::udp::endpoint> heartbeat_endpoints;
  io::UdpBinding heartbeat_binding;
  std::vector<std::uint8_t> secret;    // the pool secret; keys the heartbeat HMACs
  std::vector<std::uint32_t> weights;  // host_count entries, each >= 1
  ha::EnvironmentBounds environment;   // clock drift and fence latency
  // Isolation probe targets. When empty, the default gateway of
  // `management_interface` is used; when that is empty too (or has no
  // gateway) the probe is skipped and the engine never hears that this host
  // reaches the outside (it then only loses partition tie-breaks).
  std::vector<asio::ip::address_v4> isolation_addresses;
  std::string management_interface;
  // While HA is off: how often the statefile's global section is read, and
  // how long one read may take.
  Duration poll_interval = 1s;
  Duration poll_timeout = 5s;
};

class MembershipConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws MembershipConfigError naming the field and what is wrong with it.
void check_membership_config(const MembershipConfig& config);

}  // namespace poolha::daemon

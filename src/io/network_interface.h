// Looks up a network interface by name, for the parts of the daemon that are
// configured with an interface (heartbeat binding, the isolation probe's
// default gateway) rather than with an address.
#pragma once

#include <string>

#include <asio/ip/address_v4.hpp>

namespace poolha::io {

// The interface's first (primary) IPv4 address. Throws IoError naming the
// interface when it does not exist or has no IPv4 address.
asio::ip::address_v4 ipv4_address_of(const std::string& interface_name);

}  // namespace poolha::io

// The default gateway of an interface, read from the kernel's IPv4 routing
// table (/proc/net/route): the isolation probe's target when no isolation
// address is configured.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <asio/ip/address_v4.hpp>

namespace poolha::io {

// The gateway of the lowest-metric default route through `interface_name`
// in `route_table` (the text of /proc/net/route), or nullopt when there is
// none.
std::optional<asio::ip::address_v4> parse_default_gateway(std::string_view route_table,
                                                          std::string_view interface_name);

// Reads /proc/net/route. Throws IoError when the interface has no default
// gateway.
asio::ip::address_v4 default_gateway_of(const std::string& interface_name);

}  // namespace poolha::io

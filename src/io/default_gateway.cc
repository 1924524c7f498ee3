// /proc/net/route: a header line, then one route per line with
// whitespace-separated fields Iface, Destination, Gateway, Flags, RefCnt,
// Use, Metric, Mask, ... Addresses are the raw network-order 32-bit values
// printed as native-endian hexadecimal.
#include "io/default_gateway.h"

#include <arpa/inet.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "io/io_error.h"

namespace poolha::io {

namespace {

constexpr unsigned kRouteUp = 0x1;       // RTF_UP
constexpr unsigned kRouteGateway = 0x2;  // RTF_GATEWAY

std::optional<std::uint32_t> parse_hex(const std::string& text) {
  try {
    std::size_t used = 0;
    const unsigned long value = std::stoul(text, &used, 16);
    if (used != text.size() || value > 0xFFFFFFFFUL) return std::nullopt;
    return static_cast<std::uint32_t>(value);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<asio::ip::address_v4> parse_default_gateway(std::string_view route_table,
                                                          std::string_view interface_name) {
  std::istringstream lines{std::string(route_table)};
  std::string line;
  std::getline(lines, line);  // header
  std::optional<asio::ip::address_v4> best;
  std::uint32_t best_metric = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask)) {
      continue;
    }
    if (iface != interface_name) continue;
    const auto dest_value = parse_hex(destination);
    const auto mask_value = parse_hex(mask);
    const auto gateway_value = parse_hex(gateway);
    const auto flag_bits = parse_hex(flags);
    if (!dest_value || !mask_value || !gateway_value || !flag_bits) continue;
    if (*dest_value != 0 || *mask_value != 0) continue;
    if ((*flag_bits & (kRouteUp | kRouteGateway)) != (kRouteUp | kRouteGateway)) continue;
    std::uint32_t metric_value = 0;
    try {
      metric_value = static_cast<std::uint32_t>(std::stoul(metric));
    } catch (const std::exception&) {
      continue;
    }
    if (!best || metric_value < best_metric) {
      best = asio::ip::address_v4(ntohl(*gateway_value));
      best_metric = metric_value;
    }
  }
  return best;
}

asio::ip::address_v4 default_gateway_of(const std::string& interface_name) {
  std::ifstream file("/proc/net/route");
  if (!file) throw IoError("cannot read /proc/net/route");
  std::ostringstream text;
  text << file.rdbuf();
  const auto gateway = parse_default_gateway(text.str(), interface_name);
  if (!gateway) {
    throw IoError(
        fmt::format("interface '{}' has no IPv4 default gateway; configure an "
                    "isolation address",
                    interface_name));
  }
  return *gateway;
}

}  // namespace poolha::io

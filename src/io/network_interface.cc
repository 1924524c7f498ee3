// getifaddrs lists every address of every interface; the primary address of
// an interface comes first.
#include "io/network_interface.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "io/io_error.h"

namespace poolha::io {

asio::ip::address_v4 ipv4_address_of(const std::string& interface_name) {
  if (interface_name.empty() || interface_name.size() >= IF_NAMESIZE) {
    throw IoError(fmt::format("invalid network interface name '{}'", interface_name));
  }
  if (if_nametoindex(interface_name.c_str()) == 0) {
    throw IoError(fmt::format("no network interface named '{}'", interface_name));
  }
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    throw IoError(fmt::format("cannot list network interfaces: {}", std::strerror(errno)));
  }
  const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, &freeifaddrs);
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    if (interface_name != entry->ifa_name) continue;
    sockaddr_in address{};
    std::memcpy(&address, entry->ifa_addr, sizeof address);
    return asio::ip::address_v4(ntohl(address.sin_addr.s_addr));
  }
  throw IoError(fmt::format("network interface '{}' has no IPv4 address", interface_name));
}

}  // namespace poolha::io

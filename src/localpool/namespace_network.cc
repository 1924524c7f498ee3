#include "localpool/namespace_network.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "common/tool_runner.h"

namespace poolha::localpool {

void check_link_prefix(const std::string& prefix) {
  // Link names are limited to 15 characters: the prefix and up to 3 more for
  // the longest suffix ("sbr", "v" or "s" and two digits).
  if (prefix.empty() || prefix.size() > 8) {
    throw std::invalid_argument("namespace prefix must have 1..8 characters: '" + prefix + "'");
  }
  for (const char c : prefix) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      throw std::invalid_argument("namespace prefix must be letters and digits: '" + prefix + "'");
    }
  }
}

std::string NamespaceNetwork::unavailable_reason() {
  if (::geteuid() != 0) return "network namespaces need root";
  if (!tool_succeeds({"ip", "-V"})) return "network namespaces need the ip tool (iproute2)";
  return "";
}

NamespaceNetwork::NamespaceNetwork(std::string prefix, std::string subnet, std::size_t hosts)
    : prefix_(std::move(prefix)), subnet_(std::move(subnet)), hosts_(hosts) {
  check_link_prefix(prefix_);
  if (hosts_ == 0 || hosts_ > 99) throw std::invalid_argument("namespace network: 1..99 hosts");
  try {
    const std::string bridge = bridge_name();
    run_tool_checked({"ip", "link", "add", bridge, "type", "bridge"});
    run_tool_checked({"ip", "addr", "add", gateway_address() + "/24", "dev", bridge});
    run_tool_checked({"ip", "link", "set", bridge, "up"});
    for (std::size_t i = 0; i < hosts_; ++i) {
      const std::string ns = namespace_name(i);
      const std::string veth = veth_name(i);
      run_tool_checked({"ip", "netns", "add", ns});
      run_tool_checked({"ip", "-n", ns, "link", "set", "lo", "up"});
      run_tool_checked(
          {"ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns});
      run_tool_checked({"ip", "link", "set", veth, "master", bridge});
      run_tool_checked({"ip", "link", "set", veth, "up"});
      run_tool_checked({"ip", "-n", ns, "addr", "add", host_address(i) + "/24", "dev", "eth0"});
      run_tool_checked({"ip", "-n", ns, "link", "set", "eth0", "up"});
      run_tool_checked({"ip", "-n", ns, "route", "add", "default", "via", gateway_address()});
    }
  } catch (...) {
    remove();
    throw;
  }
}

NamespaceNetwork::~NamespaceNetwork() {
  remove();
}

void NamespaceNetwork::remove() {
  if (removed_) return;
  removed_ = true;
  for (std::size_t i = 0; i < hosts_; ++i) {
    // The pair first: a deleted namespace takes its links along only later,
    // in the background, and the pair would still show here meanwhile.
    if (tool_succeeds({"ip", "link", "show", veth_name(i)})) {
      run_cleanup_step({"ip", "link", "del", veth_name(i)});
    }
    if (tool_succeeds({"ip", "netns", "pids", namespace_name(i)})) {
      run_cleanup_step({"ip", "netns", "del", namespace_name(i)});
    }
  }
  if (tool_succeeds({"ip", "link", "show", bridge_name()})) {
    run_cleanup_step({"ip", "link", "del", bridge_name()});
  }
}

std::string NamespaceNetwork::namespace_name(std::size_t host) const {
  return prefix_ + "-host-" + std::to_string(host + 1);
}

std::string NamespaceNetwork::veth_name(std::size_t host) const {
  return prefix_ + "v" + std::to_string(host + 1);
}

std::string NamespaceNetwork::host_address(std::size_t host) const {
  return subnet_ + "." + std::to_string(11 + host);
}

std::vector<std::string> NamespaceNetwork::exec_prefix(std::size_t host) const {
  return {"ip", "netns", "exec", namespace_name(host)};
}

bool NamespaceNetwork::anything_left(const std::string& prefix) {
  auto mentions_prefix = [&prefix](const std::string& listing) {
    std::istringstream lines(listing);
    std::string line;
    while (std::getline(lines, line)) {
      // `ip netns list` lines start with the name; `ip -o link` lines with "N: name".
      std::istringstream words(line);
      std::string word;
      while (words >> word) {
        if (word.rfind(prefix, 0) == 0) return true;
      }
    }
    return false;
  };
  return mentions_prefix(run_tool({"ip", "netns", "list"}).output) ||
         mentions_prefix(run_tool({"ip", "-o", "link", "show"}).output);
}

}  // namespace poolha::localpool

#include "localpool/storage_network.h"

#include <cstdio>
#include <stdexcept>

#include "localpool/namespace_network.h"
#include "common/tool_runner.h"

namespace poolha::localpool {

StorageNetwork::StorageNetwork(std::string prefix, std::string subnet,
                               std::vector<std::string> host_namespaces)
    : prefix_(std::move(prefix)),
      subnet_(std::move(subnet)),
      host_namespaces_(std::move(host_namespaces)) {
  check_link_prefix(prefix_);
  if (host_namespaces_.empty() || host_namespaces_.size() > 99) {
    throw std::invalid_argument("storage network: 1..99 hosts");
  }
  try {
    const std::string bridge = bridge_name();
    run_tool_checked({"ip", "link", "add", bridge, "type", "bridge"});
    run_tool_checked({"ip", "link", "set", bridge, "up"});

    const std::string server = server_namespace();
    run_tool_checked({"ip", "netns", "add", server});
    run_tool_checked({"ip", "-n", server, "link", "set", "lo", "up"});
    run_tool_checked({"ip", "link", "add", server_veth_name(), "type", "veth", "peer", "name",
                      "eth0", "netns", server});
    run_tool_checked({"ip", "link", "set", server_veth_name(), "master", bridge});
    run_tool_checked({"ip", "link", "set", server_veth_name(), "up"});
    run_tool_checked({"ip", "-n", server, "addr", "add", server_address() + "/24", "dev", "eth0"});
    run_tool_checked({"ip", "-n", server, "link", "set", "eth0", "up"});

    for (std::size_t i = 0; i < host_namespaces_.size(); ++i) {
      const std::string& ns = host_namespaces_[i];
      const std::string veth = host_veth_name(i);
      run_tool_checked(
          {"ip", "link", "add", veth, "type", "veth", "peer", "name", kHostInterface, "netns", ns});
      run_tool_checked({"ip", "link", "set", veth, "master", bridge});
      run_tool_checked({"ip", "link", "set", veth, "up"});
      run_tool_checked(
          {"ip", "-n", ns, "addr", "add", host_address(i) + "/24", "dev", kHostInterface});
      run_tool_checked({"ip", "-n", ns, "link", "set", kHostInterface, "up"});
    }
  } catch (...) {
    remove();
    throw;
  }
}

StorageNetwork::~StorageNetwork() {
  remove();
}

void StorageNetwork::remove() {
  if (removed_) return;
  removed_ = true;
  // Deleting an end deletes its pair, wherever the other end lives. The
  // veths go before the namespace: a deleted namespace takes its links
  // along only later, in the background, and they would still show here.
  std::vector<std::string> veths = {server_veth_name()};
  for (std::size_t i = 0; i < host_namespaces_.size(); ++i) veths.push_back(host_veth_name(i));
  for (const std::string& veth : veths) {
    if (tool_succeeds({"ip", "link", "show", veth})) run_cleanup_step({"ip", "link", "del", veth});
  }
  if (tool_succeeds({"ip", "netns", "pids", server_namespace()})) {
    run_cleanup_step({"ip", "netns", "del", server_namespace()});
  }
  if (tool_succeeds({"ip", "link", "show", bridge_name()})) {
    run_cleanup_step({"ip", "link", "del", bridge_name()});
  }
}

std::string StorageNetwork::host_address(std::size_t host) const {
  return subnet_ + "." + std::to_string(11 + host);
}

std::string StorageNetwork::host_veth_name(std::size_t host) const {
  return prefix_ + "s" + std::to_string(host + 1);
}

}  // namespace poolha::localpool

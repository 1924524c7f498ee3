// The storage network of a pool whose hosts live in network namespaces: a
// second bridge, per host a second veth into the host's namespace (eth1, on
// a subnet of its own), and one storage namespace on that bridge where the
// NBD server runs. Storage traffic then takes a path of its own, as on real
// hosts with a storage NIC, and that path can fail while the management
// network stays up. The bridge carries no address: only the hosts and the
// storage namespace are on this network. Every name starts with the pool's
// prefix, and remove() and the destructor delete all of it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace poolha::localpool {

class StorageNetwork {
 public:
  // The storage side's interface name inside each host's namespace.
  static constexpr const char* kHostInterface = "eth1";

  // `host_namespaces` already exist (NamespaceNetwork); host i gets
  // SUBNET.(11 + i)/24 on its eth1, the storage namespace SUBNET.1/24.
  // `prefix` as for NamespaceNetwork (the same one: names do not collide);
  // `subnet` is the first three octets of a /24. Throws std::runtime_error
  // naming the step that failed, after removing what was already made.
  StorageNetwork(std::string prefix, std::string subnet, std::vector<std::string> host_namespaces);
  StorageNetwork(const StorageNetwork&) = delete;
  StorageNetwork& operator=(const StorageNetwork&) = delete;
  ~StorageNetwork();

  // Deletes the storage namespace, the hosts' storage veths and the bridge.
  // Safe to call twice; failures are printed, not thrown.
  void remove();

  std::string bridge_name() const { return prefix_ + "sbr"; }
  std::string server_namespace() const { return prefix_ + "-storage"; }
  std::string server_address() const { return subnet_ + ".1"; }
  std::string host_address(std::size_t host) const;
  std::size_t hosts() const { return host_namespaces_.size(); }

 private:
  // The ends left in this namespace, on the bridge.
  std::string host_veth_name(std::size_t host) const;
  std::string server_veth_name() const { return prefix_ + "srv"; }

  std::string prefix_;
  std::string subnet_;
  std::vector<std::string> host_namespaces_;
  bool removed_ = false;
};

}  // namespace poolha::localpool

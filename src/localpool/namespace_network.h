// One network namespace per host, joined by veth pairs to a bridge in the
// caller's namespace: the hosts of a local pool then have separate network
// stacks that can be cut apart, as real hosts on one switch. The bridge
// carries the gateway address, so the caller (the demo, the tests) reaches
// every host's API and every host has a default route and an isolation
// address to probe. Every name starts with one unique prefix and all of it
// is deleted again by remove() and the destructor.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace poolha::localpool {

// Throws std::invalid_argument unless `prefix` can start every namespace and
// link name of a pool: 1..8 letters and digits.
void check_link_prefix(const std::string& prefix);

class NamespaceNetwork {
 public:
  // Empty when this process can build namespaces; otherwise why not.
  static std::string unavailable_reason();

  // Creates the bridge and `hosts` namespaces. `prefix` (at most 8
  // characters, letters and digits) starts every name; `subnet` is the first
  // three octets of a /24 ("10.213.7"): the bridge takes .1, host i
  // (0-based) takes .(11 + i). Throws std::runtime_error naming the step that
  // failed, after removing what was already made.
  NamespaceNetwork(std::string prefix, std::string subnet, std::size_t hosts);
  NamespaceNetwork(const NamespaceNetwork&) = delete;
  NamespaceNetwork& operator=(const NamespaceNetwork&) = delete;
  ~NamespaceNetwork();

  // Deletes the namespaces (which takes their veth ends along) and the
  // bridge. Safe to call twice; failures are printed, not thrown.
  void remove();

  std::string namespace_name(std::size_t host) const;
  std::string bridge_name() const { return prefix_ + "br"; }
  std::string host_address(std::size_t host) const;
  std::string gateway_address() const { return subnet_ + ".1"; }
  // Prepended to a command line to run it inside the host's namespace.
  std::vector<std::string> exec_prefix(std::size_t host) const;
  std::size_t hosts() const { return hosts_; }

  // Whether any namespace or link with this prefix is left (for checks).
  static bool anything_left(const std::string& prefix);

 private:
  std::string veth_name(std::size_t host) const;

  std::string prefix_;
  std::string subnet_;
  std::size_t hosts_;
  bool removed_ = false;
};

}  // namespace poolha::localpool

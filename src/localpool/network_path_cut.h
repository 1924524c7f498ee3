// Cutting one network path of a host that lives in a network namespace: an
// nft table inside the namespace drops every IP packet in or out through one
// interface. The interface stays up and nothing tells the host: its packets
// vanish as behind a dead switch port or a storage array that stopped
// answering, so I/O and heartbeats over that path hang until their own
// deadlines expire (the harder case for HA than an error returned at once,
// which `ip link set down` would give). Lifting the cut lets connections
// that are still open carry on, as after a transient outage. Each path has
// its own table, so cutting one path never touches another.
#pragma once

#include <string>

namespace poolha::localpool {

struct NetworkPath {
  std::string network_namespace;
  std::string interface;  // inside the namespace: "eth0" (management), "eth1" (storage)
  std::string nft_table;  // an inet table of its own per path
};

// Empty when paths can be cut here (the nft tool runs); otherwise why not.
std::string path_cut_unavailable_reason();

// Drops the path's traffic; a path already cut stays cut. Throws
// std::runtime_error with nft's message when the rules cannot be added.
void cut_network_path(const NetworkPath& path);
// Lets the path's traffic through again; a path that is not cut is left alone.
void restore_network_path(const NetworkPath& path);
// Whether the path's drop table is in place.
bool network_path_is_cut(const NetworkPath& path);

}  // namespace poolha::localpool

// Partial network faults inside one host's network namespace, as nft
// tables of their own (so they never touch the local pool's path cuts):
// dropping every packet from one peer address (an asymmetric fault: the
// peer still hears this host), and dropping a random share of the packets
// through one interface (a lossy link; the kernel has no netem here). The
// interfaces stay up and nothing tells the host. Tables vanish with the
// namespace, so a run that dies leaves nothing behind once the pool's
// namespaces are deleted.
#pragma once

#include <string>

namespace poolha::chaos {

// Host `network_namespace` drops every IPv4 packet whose source is
// `peer_address`. Throws std::runtime_error with nft's message.
void drop_packets_from(const std::string& network_namespace, const std::string& peer_address);
void stop_dropping_packets_from(const std::string& network_namespace);

// `percent` of the packets in and out through `interface` are dropped, each
// one independently (nft numgen random).
void add_packet_loss(const std::string& network_namespace, const std::string& interface,
                     int percent);
void remove_packet_loss(const std::string& network_namespace);

}  // namespace poolha::chaos

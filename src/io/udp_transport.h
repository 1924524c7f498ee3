// The heartbeat channel on the management network: one UDP socket bound to a
// configured address (or to an interface, by its address and SO_BINDTODEVICE
// so heartbeats never leave through another link), a table of peers by host
// index, and a callback for every datagram received. Packets are opaque here:
// the membership engine authenticates and decodes them itself.
//
// Everything runs on the given io_context: the receive callback and the send
// completions are handlers of that context, never called from another thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include "common/host_set.h"

namespace poolha::io {

// Where to bind. Exactly one of `address` and `interface_name` is set.
struct UdpBinding {
  std::string address;         // an IPv4 or IPv6 literal assigned to this host
  std::string interface_name;  // bind to its primary IPv4 address and to the device itself
  std::uint16_t port = 0;      // 0 picks a free port (tests)
};

struct UdpCounters {
  std::uint64_t sent = 0;            // datagrams the kernel accepted
  std::uint64_t received = 0;        // datagrams delivered to the callback
  std::uint64_t send_errors = 0;     // sends the kernel refused
  std::uint64_t receive_errors = 0;  // failed receive calls (the socket keeps listening)
};

class UdpTransport {
 public:
  using ReceiveHandler = std::function<void(std::span<const std::uint8_t> datagram,
                                            const asio::ip::udp::endpoint& from)>;

  // Binds at once and starts receiving. Throws IoError with the reason when
  // the binding is invalid, the address is not local, the port is in use or
  // the interface does not exist.
  UdpTransport(asio::io_context& io, const UdpBinding& binding, ReceiveHandler on_receive);
  // Closes the socket; no callback runs afterwards.
  ~UdpTransport();
  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;

  void set_peer(HostIndex host, const asio::ip::udp::endpoint& endpoint);
  // Queues one datagram to `to`. Throws IoError when `to` has no endpoint (a
  // configuration error); a send the kernel refuses is counted in
  // send_errors and described by last_send_error().
  void send(HostIndex to, std::vector<std::uint8_t> bytes);

  asio::ip::udp::endpoint local_endpoint() const;
  UdpCounters counters() const;
  std::string last_send_error() const;

 private:
  struct State;
  static void receive_next(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;  // shared with pending handlers, which outlive a close
};

}  // namespace poolha::io

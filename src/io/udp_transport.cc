// The socket and its pending handlers share one State, so a handler that
// runs after the transport is destroyed (an aborted receive) finds it alive
// and sees the transport closed.
#include "io/udp_transport.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <asio/error.hpp>

#include "io/io_error.h"
#include "io/network_interface.h"

namespace poolha::io {

namespace {

constexpr std::size_t kMaxDatagram = 65536;

asio::ip::address parse_address(const std::string& text) {
  asio::error_code ec;
  const asio::ip::address address = asio::ip::make_address(text, ec);
  if (ec) throw IoError(fmt::format("'{}' is not an IP address", text));
  return address;
}

std::string endpoint_text(const asio::ip::udp::endpoint& endpoint) {
  return endpoint.address().is_v6()
             ? fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port())
             : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

[[noreturn]] void throw_bind_error(const asio::error_code& ec,
                                   const asio::ip::udp::endpoint& endpoint) {
  const std::string where = endpoint_text(endpoint);
  if (ec == asio::error::address_in_use) {
    throw IoError(fmt::format("cannot bind UDP {}: port {} is already in use on {}", where,
                              endpoint.port(), endpoint.address().to_string()));
  }
  if (ec == asio::error::make_error_code(static_cast<asio::error::basic_errors>(EADDRNOTAVAIL))) {
    throw IoError(fmt::format("cannot bind UDP {}: {} is not an address of this host", where,
                              endpoint.address().to_string()));
  }
  if (ec == asio::error::access_denied) {
    throw IoError(fmt::format("cannot bind UDP {}: permission denied (privileged port?)", where));
  }
  throw IoError(fmt::format("cannot bind UDP {}: {}", where, ec.message()));
}

}  // namespace

struct UdpTransport::State {
  explicit State(asio::io_context& io) : socket(io) {}

  asio::ip::udp::socket socket;
  ReceiveHandler on_receive;
  std::map<HostIndex, asio::ip::udp::endpoint> peers;
  UdpCounters counters;
  std::string last_send_error;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(kMaxDatagram);
  asio::ip::udp::endpoint sender;
  bool closed = false;
};

UdpTransport::UdpTransport(asio::io_context& io, const UdpBinding& binding,
                           ReceiveHandler on_receive)
    : state_(std::make_shared<State>(io)) {
  if (binding.address.empty() == binding.interface_name.empty()) {
    throw IoError("UDP binding needs exactly one of an address and an interface name");
  }
  if (!on_receive) throw IoError("UDP transport needs a receive callback");
  state_->on_receive = std::move(on_receive);

  const asio::ip::address address = binding.address.empty()
                                        ? asio::ip::address(ipv4_address_of(binding.interface_name))
                                        : parse_address(binding.address);
  const asio::ip::udp::endpoint endpoint(address, binding.port);
  asio::error_code ec;
  state_->socket.open(endpoint.protocol(), ec);
  if (ec) throw IoError(fmt::format("cannot open a UDP socket: {}", ec.message()));
  if (!binding.interface_name.empty()) {
    // Pins the socket to the device: heartbeats must not take another route
    // when the management link is down.
    const std::string& name = binding.interface_name;
    if (setsockopt(state_->socket.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                   static_cast<socklen_t>(name.size())) != 0) {
      const int error = errno;
      throw IoError(fmt::format("cannot bind UDP socket to interface '{}': {}{}", name,
                                std::strerror(error),
                                error == EPERM ? " (needs CAP_NET_RAW)" : ""));
    }
  }
  state_->socket.bind(endpoint, ec);
  if (ec) throw_bind_error(ec, endpoint);
  receive_next(state_);
}

UdpTransport::~UdpTransport() {
  // The receive callback is kept: it may be the caller of this destructor.
  state_->closed = true;
  asio::error_code ignored;
  state_->socket.close(ignored);
}

void UdpTransport::set_peer(HostIndex host, const asio::ip::udp::endpoint& endpoint) {
  state_->peers[host] = endpoint;
}

void UdpTransport::send(HostIndex to, std::vector<std::uint8_t> bytes) {
  const auto peer = state_->peers.find(to);
  if (peer == state_->peers.end()) {
    throw IoError(fmt::format("no UDP endpoint configured for host {}", to));
  }
  auto buffer = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
  state_->socket.async_send_to(
      asio::buffer(*buffer), peer->second,
      [state = state_, buffer, to](const asio::error_code& ec, std::size_t) {
        if (ec == asio::error::operation_aborted || state->closed) return;
        if (ec) {
          ++state->counters.send_errors;
          state->last_send_error = fmt::format("send to host {}: {}", to, ec.message());
          return;
        }
        ++state->counters.sent;
      });
}

asio::ip::udp::endpoint UdpTransport::local_endpoint() const {
  return state_->socket.local_endpoint();
}

UdpCounters UdpTransport::counters() const {
  return state_->counters;
}

std::string UdpTransport::last_send_error() const {
  return state_->last_send_error;
}

void UdpTransport::receive_next(const std::shared_ptr<State>& state) {
  state->socket.async_receive_from(
      asio::buffer(state->buffer), state->sender,
      [state](const asio::error_code& ec, std::size_t length) {
        if (ec == asio::error::operation_aborted || state->closed) return;
        if (ec) {
          ++state->counters.receive_errors;
        } else {
          ++state->counters.received;
          state->on_receive(std::span<const std::uint8_t>(state->buffer.data(), length),
                            state->sender);
        }
        // The callback may have destroyed the transport.
        if (!state->closed) receive_next(state);
      });
}

}  // namespace poolha::io

// UdpTransport: datagrams between two transports on loopback through one
// io_context, and the errors a misconfigured binding produces.
#include "io/udp_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <asio/steady_timer.hpp>

#include "io/io_error.h"
#include "io/network_interface.h"
#include "io_error_text.h"

namespace poolha::io {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

struct Received {
  Bytes bytes;
  asio::ip::udp::endpoint from;
  std::thread::id thread;
};

// Runs `io` until `done()` or a generous limit (a failing test ends, never hangs).
template <typename Done>
void run_until(asio::io_context& io, Done done) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < limit) {
    io.run_for(std::chrono::milliseconds(10));
    io.restart();
  }
}

UdpBinding loopback(std::uint16_t port = 0) {
  return UdpBinding{"127.0.0.1", "", port};
}

using testing::error_of;

TEST(UdpTransport, TwoTransportsExchangeDatagramsOnLoopback) {
  asio::io_context io;
  std::vector<Received> at_a, at_b;
  UdpTransport a(io, loopback(), [&](std::span<const std::uint8_t> d, const auto& from) {
    at_a.push_back({Bytes(d.begin(), d.end()), from, std::this_thread::get_id()});
  });
  UdpTransport b(io, loopback(), [&](std::span<const std::uint8_t> d, const auto& from) {
    at_b.push_back({Bytes(d.begin(), d.end()), from, std::this_thread::get_id()});
  });
  ASSERT_NE(a.local_endpoint().port(), 0);
  ASSERT_NE(a.local_endpoint().port(), b.local_endpoint().port());
  a.set_peer(1, b.local_endpoint());
  b.set_peer(0, a.local_endpoint());

  a.send(1, {1, 2, 3});
  a.send(1, Bytes(1400, 0xAB));
  b.send(0, {9});
  run_until(io, [&] { return at_b.size() == 2 && at_a.size() == 1; });

  ASSERT_EQ(at_b.size(), 2u);
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_b[0].bytes, (Bytes{1, 2, 3}));
  EXPECT_EQ(at_b[1].bytes, Bytes(1400, 0xAB));
  EXPECT_EQ(at_b[0].from, a.local_endpoint());
  EXPECT_EQ(at_a[0].bytes, Bytes{9});
  EXPECT_EQ(at_a[0].from, b.local_endpoint());
  // Callbacks run on the thread running the io_context.
  EXPECT_EQ(at_a[0].thread, std::this_thread::get_id());
  EXPECT_EQ(at_b[1].thread, std::this_thread::get_id());

  EXPECT_EQ(a.counters().sent, 2u);
  EXPECT_EQ(a.counters().received, 1u);
  EXPECT_EQ(b.counters().sent, 1u);
  EXPECT_EQ(b.counters().received, 2u);
  EXPECT_EQ(a.counters().send_errors, 0u);
}

TEST(UdpTransport, BindingToAnAddressOfNoLocalInterfaceFailsClearly) {
  asio::io_context io;
  // 203.0.113.0/24 is reserved for documentation; no host here has it.
  const std::string error = error_of([&] {
    UdpTransport t(io, UdpBinding{"203.0.113.77", "", 0}, [](auto, auto&) {});
  });
  EXPECT_THAT(error, HasSubstr("203.0.113.77 is not an address of this host"));
}

TEST(UdpTransport, BindingToAPortInUseFailsClearly) {
  asio::io_context io;
  UdpTransport first(io, loopback(), [](auto, auto&) {});
  const std::uint16_t port = first.local_endpoint().port();
  const std::string error =
      error_of([&] { UdpTransport second(io, loopback(port), [](auto, auto&) {}); });
  EXPECT_THAT(error, HasSubstr(fmt::format("port {} is already in use", port)));
}

TEST(UdpTransport, UnknownInterfaceFailsClearly) {
  asio::io_context io;
  const std::string error = error_of([&] {
    UdpTransport t(io, UdpBinding{"", "nosuchif0", 0}, [](auto, auto&) {});
  });
  EXPECT_THAT(error, HasSubstr("no network interface named 'nosuchif0'"));
}

TEST(UdpTransport, InvalidBindingsAreRefused) {
  asio::io_context io;
  EXPECT_THAT(error_of([&] {
                UdpTransport t(io, UdpBinding{"", "", 0}, [](auto, auto&) {});
              }),
              HasSubstr("exactly one of an address and an interface"));
  EXPECT_THAT(error_of([&] {
                UdpTransport t(io, UdpBinding{"127.0.0.1", "lo", 0}, [](auto, auto&) {});
              }),
              HasSubstr("exactly one of an address and an interface"));
  EXPECT_THAT(error_of([&] {
                UdpTransport t(io, UdpBinding{"not-an-ip", "", 0}, [](auto, auto&) {});
              }),
              HasSubstr("'not-an-ip' is not an IP address"));
}

TEST(UdpTransport, BindsToAnInterfaceByItsAddress) {
  if (geteuid() != 0) GTEST_SKIP() << "SO_BINDTODEVICE may need CAP_NET_RAW; run as root";
  asio::io_context io;
  std::vector<Bytes> received;
  UdpTransport by_interface(io, UdpBinding{"", "lo", 0},
                            [&](std::span<const std::uint8_t> d, const auto&) {
                              received.emplace_back(d.begin(), d.end());
                            });
  EXPECT_EQ(by_interface.local_endpoint().address(), asio::ip::make_address("127.0.0.1"));
  UdpTransport sender(io, loopback(), [](auto, auto&) {});
  sender.set_peer(0, by_interface.local_endpoint());
  sender.send(0, {42});
  run_until(io, [&] { return !received.empty(); });
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], Bytes{42});
}

TEST(UdpTransport, SendingToAHostWithoutEndpointIsAnError) {
  asio::io_context io;
  UdpTransport t(io, loopback(), [](auto, auto&) {});
  EXPECT_THAT(error_of([&] { t.send(7, {1}); }),
              HasSubstr("no UDP endpoint configured for host 7"));
}

TEST(UdpTransport, RefusedSendsAreCounted) {
  asio::io_context io;
  UdpTransport t(io, loopback(), [](auto, auto&) {});
  // Broadcast without SO_BROADCAST: the kernel refuses it locally (EACCES).
  t.set_peer(3, asio::ip::udp::endpoint(asio::ip::address_v4::broadcast(), 9));
  t.send(3, {1});
  run_until(io, [&] { return t.counters().send_errors > 0; });
  EXPECT_EQ(t.counters().send_errors, 1u);
  EXPECT_EQ(t.counters().sent, 0u);
  EXPECT_THAT(t.last_send_error(), HasSubstr("send to host 3"));
}

TEST(UdpTransport, NoCallbackAfterDestruction) {
  asio::io_context io;
  int calls = 0;
  std::optional<UdpTransport> receiver;
  receiver.emplace(io, loopback(), [&](auto, auto&) { ++calls; });
  // A datagram waits in the socket's buffer, its receive handler not run yet.
  asio::ip::udp::socket plain(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint8_t byte = 1;
  plain.send_to(asio::buffer(&byte, 1), receiver->local_endpoint());
  receiver.reset();
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls, 0);
}

TEST(NetworkInterface, LoopbackHasItsAddress) {
  EXPECT_EQ(ipv4_address_of("lo"), asio::ip::make_address_v4("127.0.0.1"));
  EXPECT_THAT(error_of([] { ipv4_address_of("nosuchif0"); }),
              HasSubstr("no network interface named 'nosuchif0'"));
}

}  // namespace
}  // namespace poolha::io

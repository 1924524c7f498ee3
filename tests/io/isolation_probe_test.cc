// IsolationProbe: loopback answers; an address that never answers, or that
// cannot even be sent to, is reported unreachable. Unreachable cases run in
// a network namespace the test creates, so no packet leaves the host.
#include "io/isolation_probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include "io/io_error.h"
#include "network_namespace.h"

namespace poolha::io {
namespace {

using ::testing::HasSubstr;
using testing::NetworkNamespace;

const asio::ip::address_v4 kLoopback = asio::ip::make_address_v4("127.0.0.1");

struct Outcome {
  IsolationProbeResult result;
  std::thread::id thread;
};

// Runs one probe to completion on `io` (with a generous limit so a broken
// probe fails the test rather than hanging it).
std::optional<Outcome> probe_once(asio::io_context& io, IsolationProbe& probe, Duration timeout) {
  std::optional<Outcome> outcome;
  probe.probe(timeout, [&](IsolationProbeResult result) {
    outcome = Outcome{std::move(result), std::this_thread::get_id()};
  });
  const auto limit = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(10);
  while (!outcome && std::chrono::steady_clock::now() < limit) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return outcome;
}

// The probe, or the reason it cannot be built here (for GTEST_SKIP).
std::unique_ptr<IsolationProbe> make_probe(asio::io_context& io,
                                           std::vector<asio::ip::address_v4> targets,
                                           IcmpSocketChoice choice, std::string* why) {
  try {
    return std::make_unique<IsolationProbe>(io, std::move(targets), choice);
  } catch (const IoError& e) {
    *why = e.what();
    return nullptr;
  }
}

TEST(IsolationProbe, LoopbackIsReachable) {
  asio::io_context io;
  std::string why;
  auto probe = make_probe(io, {kLoopback}, IcmpSocketChoice::kAuto, &why);
  if (!probe) GTEST_SKIP() << "no ICMP socket permitted here: " << why;
  const auto outcome = probe_once(io, *probe, 2s);
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->result.reachable) << outcome->result.detail;
  EXPECT_EQ(outcome->result.answered_by, kLoopback);
  EXPECT_EQ(outcome->thread, std::this_thread::get_id());
  EXPECT_FALSE(probe->in_progress());
  std::cout << "probe used a " << to_string(probe->socket_kind()) << "\n";

  // Probes repeat on the same socket.
  const auto again = probe_once(io, *probe, 2s);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->result.reachable) << again->result.detail;
}

TEST(IsolationProbe, OneAnsweringAddressIsEnough) {
  const std::string unavailable = NetworkNamespace::unavailable_reason();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  NetworkNamespace ns;
  ns.run("ip link set lo up && ip addr add 10.213.0.1/32 dev lo");
  asio::io_context io;
  std::optional<IsolationProbe> probe;
  {
    const NetworkNamespace::Entered inside(ns);
    // 10.213.0.2 has no route inside the namespace; 10.213.0.1 is local.
    probe.emplace(io,
                  std::vector{asio::ip::make_address_v4("10.213.0.2"),
                              asio::ip::make_address_v4("10.213.0.1")},
                  IcmpSocketChoice::kRaw);
  }
  const auto outcome = probe_once(io, *probe, 2s);
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->result.reachable) << outcome->result.detail;
  EXPECT_EQ(outcome->result.answered_by, asio::ip::make_address_v4("10.213.0.1"));
}

TEST(IsolationProbe, AddressWithoutRouteFailsAtOnce) {
  const std::string unavailable = NetworkNamespace::unavailable_reason();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  NetworkNamespace ns;
  ns.run("ip link set lo up");
  asio::io_context io;
  std::optional<IsolationProbe> probe;
  {
    const NetworkNamespace::Entered inside(ns);
    probe.emplace(io, std::vector{asio::ip::make_address_v4("10.213.0.2")}, IcmpSocketChoice::kRaw);
  }
  // A long timeout: the result must come from the failed send, not the timer.
  const auto outcome = probe_once(io, *probe, 60s);
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->result.reachable);
  EXPECT_THAT(outcome->result.detail,
              HasSubstr("could not send an echo request to any isolation address: 10.213.0.2:"));
}

TEST(IsolationProbe, AddressThatDoesNotAnswerIsUnreachableAtTheTimeout) {
  const std::string unavailable = NetworkNamespace::unavailable_reason();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  if (std::system("nft --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "needs nft (nftables)";
  NetworkNamespace ns;
  // Inside the namespace: loopback up, echo requests dropped on input.
  ns.run(
      "ip link set lo up && nft add table ip poolha_test && "
      "nft add chain ip poolha_test input \"{ type filter hook input priority 0; }\" && "
      "nft add rule ip poolha_test input icmp type echo-request drop");
  asio::io_context io;
  std::optional<IsolationProbe> probe;
  {
    const NetworkNamespace::Entered inside(ns);
    probe.emplace(io, std::vector{kLoopback}, IcmpSocketChoice::kRaw);
  }
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = probe_once(io, *probe, 300ms);
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->result.reachable);
  EXPECT_THAT(outcome->result.detail, HasSubstr("no echo reply within 300 ms from 127.0.0.1"));
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

TEST(IsolationProbe, DatagramSocketWhenTheGroupIsPermitted) {
  const std::string unavailable = NetworkNamespace::unavailable_reason();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  NetworkNamespace ns;
  ns.run("ip link set lo up");
  asio::io_context io;
  std::string refused;
  {
    // A new namespace starts with ping_group_range "1 0": nobody may.
    const NetworkNamespace::Entered inside(ns);
    const auto probe = make_probe(io, {kLoopback}, IcmpSocketChoice::kDatagram, &refused);
    EXPECT_FALSE(probe);
  }
  EXPECT_THAT(refused, HasSubstr("not in net.ipv4.ping_group_range (1 0)"));

  ns.run("sysctl -q -w net.ipv4.ping_group_range=\"0 2147483647\"");
  std::optional<IsolationProbe> probe;
  {
    const NetworkNamespace::Entered inside(ns);
    probe.emplace(io, std::vector{kLoopback}, IcmpSocketChoice::kAuto);
  }
  EXPECT_EQ(probe->socket_kind(), IcmpSocketKind::kDatagram);
  const auto outcome = probe_once(io, *probe, 2s);
  ASSERT_TRUE(outcome);
  EXPECT_TRUE(outcome->result.reachable) << outcome->result.detail;
}

TEST(IsolationProbe, RefusesAnEmptyTargetListAndOverlappingProbes) {
  asio::io_context io;
  std::string why;
  EXPECT_FALSE(make_probe(io, {}, IcmpSocketChoice::kAuto, &why));
  EXPECT_THAT(why, HasSubstr("no address to probe"));

  auto probe = make_probe(io, {kLoopback}, IcmpSocketChoice::kAuto, &why);
  if (!probe) GTEST_SKIP() << "no ICMP socket permitted here: " << why;
  probe->probe(1s, [](IsolationProbeResult) {});
  EXPECT_TRUE(probe->in_progress());
  EXPECT_THROW(probe->probe(1s, [](IsolationProbeResult) {}), IoError);
}

TEST(IsolationTargets, ConfiguredAddressesWinOverTheGateway) {
  const std::vector<asio::ip::address_v4> configured{asio::ip::make_address_v4("10.1.2.3")};
  EXPECT_EQ(isolation_targets(configured, "nosuchif0"), configured);
  EXPECT_THROW(isolation_targets({}, "nosuchif0"), IoError);
}

}  // namespace
}  // namespace poolha::io

// PeerLink over real HTTP on 127.0.0.1: signed messages from one link reach
// the other's receiver on the event loop; unsigned, wrongly signed and
// malformed bodies are refused; a peer that never answers does not hold up
// the sender or messages to other peers.
#include "daemon/vms/peer_link.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <thread>
#include <vector>

#include "../support/event_loop.h"
#include "api/http_server.h"

namespace poolha::daemon {
namespace {

using test_support::run_until;

const std::vector<std::uint8_t> kLinkSecret{'p', 'o', 'o', 'l', '-', 's', 'e', 'c', 'r', 'e', 't'};

failover::HostReport report(std::uint64_t sequence) {
  failover::HostReport r;
  r.epoch = 7;
  r.host = 0;
  r.incarnation = 3;
  r.sequence = sequence;
  r.running = {"vm-a", "vm-b"};
  r.halts = {failover::VmHalt{"vm-c", vm::HaltCause::kGuestCrash}};
  return r;
}

// A host's receiving side: an API server with the peer route, and what its
// link handed to the loop.
struct Receiving {
  std::unique_ptr<api::HttpServer> server;
  std::unique_ptr<PeerLink> link;
  std::vector<PeerMessage> messages;
  bool all_on_loop_thread = true;
};

class PeerLinkTest : public ::testing::Test {
 protected:
  // Starts an API server for host `self` whose peer route feeds `into`.
  void serve(Receiving& into, HostIndex self, std::map<HostIndex, PeerEndpoint> peers = {}) {
    api::HttpServerConfig config;
    config.address = "127.0.0.1";
    config.threads = 4;
    config.keep_alive_timeout = std::chrono::seconds(1);
    into.server = std::make_unique<api::HttpServer>(
        config, [](api::RpcCall, api::Reply) { ADD_FAILURE() << "no JSON-RPC call expected"; });
    into.server->add_post_route(
        std::string(kPeerMessagePath),
        [&into](const api::RawHttpRequest& request) { return into.link->handle_post(request); });
    into.link = make_link(self, std::move(peers), kLinkSecret, [this, &into](PeerMessage m) {
      into.all_on_loop_thread =
          into.all_on_loop_thread && std::this_thread::get_id() == loop_thread;
      into.messages.push_back(std::move(m));
    });
    into.server->start();
  }

  std::unique_ptr<PeerLink> make_link(HostIndex self, std::map<HostIndex, PeerEndpoint> peers,
                                      std::vector<std::uint8_t> secret,
                                      PeerLink::Receiver receiver) {
    PeerLinkConfig config;
    config.self = self;
    config.peers = std::move(peers);
    config.secret = std::move(secret);
    config.queue_limit = 4;
    config.connect_timeout = std::chrono::milliseconds(500);
    config.io_timeout = std::chrono::milliseconds(300);
    config.pause_after_failure = std::chrono::milliseconds(100);
    return std::make_unique<PeerLink>(config, io.get_executor(), std::move(receiver));
  }

  static PeerEndpoint endpoint_of(const Receiving& r) {
    return PeerEndpoint{"127.0.0.1", r.server->port()};
  }

  static void stop(Receiving& r) {
    r.server->stop();
    r.link.reset();
  }

  asio::io_context io;
  std::thread::id loop_thread = std::this_thread::get_id();
};

TEST_F(PeerLinkTest, SignedMessageArrivesOnTheLoop) {
  Receiving b;
  serve(b, 1);
  Receiving a;
  serve(a, 0, {{1, endpoint_of(b)}});

  a.link->send(1, report(5));
  failover::VmCommand command;
  command.kind = failover::VmCommand::Kind::kStop;
  command.epoch = 7;
  command.master = 0;
  command.id = 99;
  command.vm = vm::VmConfig{"vm-a", "web", 1024};
  a.link->send(1, command);

  ASSERT_TRUE(run_until(io, [&] { return b.messages.size() == 2; }));
  EXPECT_TRUE(b.all_on_loop_thread);
  const auto* got = std::get_if<failover::HostReport>(&b.messages[0]);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->sequence, 5u);
  EXPECT_EQ(got->running, (std::vector<std::string>{"vm-a", "vm-b"}));
  ASSERT_EQ(got->halts.size(), 1u);
  EXPECT_EQ(got->halts[0].cause, vm::HaltCause::kGuestCrash);
  const auto* got_command = std::get_if<failover::VmCommand>(&b.messages[1]);
  ASSERT_NE(got_command, nullptr);
  EXPECT_EQ(got_command->id, 99u);
  EXPECT_EQ(got_command->kind, failover::VmCommand::Kind::kStop);
  EXPECT_EQ(got_command->vm.name, "web");
  ASSERT_TRUE(run_until(io, [&] { return a.link->counters().sent == 2; }));
  EXPECT_EQ(b.link->counters().received, 2u);
  EXPECT_TRUE(a.messages.empty());
  stop(a);
  stop(b);
}

TEST_F(PeerLinkTest, MessageToSelfSkipsTheNetwork) {
  Receiving a;
  serve(a, 0);
  a.link->send(0, report(1));
  EXPECT_TRUE(a.messages.empty()) << "delivered through the loop, not inside send()";
  ASSERT_TRUE(run_until(io, [&] { return a.messages.size() == 1; }));
  EXPECT_TRUE(std::holds_alternative<failover::HostReport>(a.messages[0]));
  EXPECT_EQ(a.link->counters().sent, 0u);
  stop(a);
}

TEST_F(PeerLinkTest, RefusesMissingBadAndMalformed) {
  Receiving b;
  serve(b, 1);
  httplib::Client client("127.0.0.1", b.server->port());
  const std::string path(kPeerMessagePath);
  const std::string header(kPeerMacHeader);
  const std::string body = encode_peer_message(report(1));

  const auto unsigned_post = client.Post(path, body, "application/json");
  ASSERT_TRUE(unsigned_post);
  EXPECT_EQ(unsigned_post->status, 401);
  EXPECT_NE(unsigned_post->body.find(header), std::string::npos) << unsigned_post->body;

  const std::vector<std::uint8_t> other{'o', 't', 'h', 'e', 'r'};
  const auto wrong =
      client.Post(path, {{header, sign_peer_message(other, body)}}, body, "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  // Signed correctly, but the body was changed after signing.
  const std::string tampered = encode_peer_message(report(2));
  const auto changed = client.Post(path, {{header, sign_peer_message(kLinkSecret, body)}}, tampered,
                                   "application/json");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 401);

  const std::string malformed = R"({"type":"host_report","epoch":1})";
  const auto bad_body = client.Post(path, {{header, sign_peer_message(kLinkSecret, malformed)}},
                                    malformed, "application/json");
  ASSERT_TRUE(bad_body);
  EXPECT_EQ(bad_body->status, 400);
  EXPECT_NE(bad_body->body.find("malformed failover message"), std::string::npos) << bad_body->body;

  const auto good =
      client.Post(path, {{header, sign_peer_message(kLinkSecret, body)}}, body, "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);

  ASSERT_TRUE(run_until(io, [&] { return b.messages.size() == 1; }));
  test_support::run_for(io, std::chrono::milliseconds(50));
  EXPECT_EQ(b.messages.size(), 1u) << "only the good message reaches the receiver";
  EXPECT_EQ(b.link->counters().refused, 4u);
  stop(b);
}

TEST_F(PeerLinkTest, LinkWithAnotherSecretIsRefused) {
  Receiving b;
  serve(b, 1);
  const std::vector<std::uint8_t> other{'o', 't', 'h', 'e', 'r'};
  auto stranger = make_link(0, {{1, endpoint_of(b)}}, other, [](PeerMessage) {});
  stranger->send(1, report(1));
  ASSERT_TRUE(run_until(io, [&] { return stranger->counters().failed == 1; }));
  EXPECT_EQ(stranger->counters().sent, 0u);
  EXPECT_EQ(b.link->counters().refused, 1u);
  EXPECT_TRUE(b.messages.empty());
  stranger.reset();
  stop(b);
}

TEST_F(PeerLinkTest, PeerThatNeverAnswersBlocksNothing) {
  // Accepts connections (the kernel completes them) but never reads or answers.
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const int silent_port = silent.local_endpoint().port();
  Receiving b;
  serve(b, 2);
  auto sender = make_link(0, {{1, PeerEndpoint{"127.0.0.1", silent_port}}, {2, endpoint_of(b)}},
                          kLinkSecret, [](PeerMessage) {});

  // More than the queue holds: send() returns at once and drops the oldest.
  for (std::uint64_t i = 1; i <= 10; ++i) sender->send(1, report(i));
  EXPECT_GE(sender->counters().dropped, 5u);
  sender->send(2, report(42));

  ASSERT_TRUE(run_until(io, [&] { return b.messages.size() == 1; }));
  EXPECT_EQ(std::get<failover::HostReport>(b.messages[0]).sequence, 42u);
  // The sender counts a message sent once the answer is back on its thread,
  // which may be after the receiver already has it.
  ASSERT_TRUE(run_until(
      io, [&] { return sender->counters().failed >= 1 && sender->counters().sent >= 1; }));
  EXPECT_EQ(sender->counters().sent, 1u);
  sender.reset();
  stop(b);
}

TEST_F(PeerLinkTest, RejectsBadConfiguration) {
  auto receiver = [](PeerMessage) {};
  EXPECT_THROW(make_link(0, {}, {}, receiver), std::invalid_argument);
  EXPECT_THROW(make_link(0, {{0, PeerEndpoint{"127.0.0.1", 80}}}, kLinkSecret, receiver),
               std::invalid_argument);
  EXPECT_THROW(make_link(0, {{1, PeerEndpoint{"", 80}}}, kLinkSecret, receiver),
               std::invalid_argument);
  EXPECT_THROW(make_link(0, {{1, PeerEndpoint{"127.0.0.1", 0}}}, kLinkSecret, receiver),
               std::invalid_argument);
}

}  // namespace
}  // namespace poolha::daemon

// The failover messages between hosts (docs/daemon.md, "Messages between
// hosts"): JSON bodies signed with the pool secret, POSTed to each peer's API
// port at kPeerMessagePath.
//
// Sending never blocks the event loop: messages wait in a bounded queue per
// peer and one sender thread posts them, peer by peer in turn. A full queue
// drops its oldest message, and a peer that failed is left alone for a
// growing while, so a dead or slow peer mostly costs its own messages.
// Delivery is best effort; the agent and the coordinator resend until
// answered.
//
// Receiving: post_handler() serves the route on the API's HTTP threads; it
// checks the signature before it looks at the body, and posts each accepted
// message onto the event loop for the owner's receiver.
#pragma once

#include <asio.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "common/host_set.h"
#include "common/time.h"
#include "daemon/peer_message.h"
#include "daemon/vms/peer_sender.h"

namespace poolha::daemon {

struct PeerEndpoint {
  std::string address;  // the peer's API address
  int port = 0;         // the peer's API port
};

struct PeerLinkConfig {
  HostIndex self = kNoHost;
  std::map<HostIndex, PeerEndpoint> peers;  // the other hosts of the pool
  std::vector<std::uint8_t> secret;         // the pool secret; not empty
  std::size_t queue_limit = 64;             // messages waiting per peer
  Duration connect_timeout = std::chrono::milliseconds(500);
  Duration io_timeout = std::chrono::seconds(2);  // for writing the request and reading the answer
  // A peer that refused or failed a message is not tried again for this
  // long, doubled after every further failure up to max_pause: an
  // unreachable host costs the others one connect timeout per pause.
  Duration pause_after_failure = std::chrono::milliseconds(500);
  Duration max_pause = std::chrono::seconds(8);
};

struct PeerLinkCounters {
  std::uint64_t sent = 0;      // answered with 200 by the peer
  std::uint64_t failed = 0;    // no answer, or another status
  std::uint64_t dropped = 0;   // pushed out of a full queue, or for a host without an endpoint
  std::uint64_t received = 0;  // accepted and posted to the loop (this host's own too)
  std::uint64_t refused = 0;   // bad signature or malformed body
};

class PeerLink final : public PeerSender {
 public:
  // Runs on the loop for every accepted message, while the PeerLink lives.
  using Receiver = std::function<void(PeerMessage message)>;

  // Throws std::invalid_argument for a bad configuration. Starts the sender thread.
  PeerLink(PeerLinkConfig config, asio::any_io_executor loop, Receiver receiver);
  // Drops waiting messages and joins the sender thread (interrupting a post
  // under way). Call on the loop, after the HTTP server stopped.
  ~PeerLink() override;
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  // From the loop. A message to `self` goes straight to the receiver, via the loop.
  void send(HostIndex to, PeerMessage message) override;

  // The route handler for HttpServer::add_post_route(kPeerMessagePath, ...):
  // 401 without a valid signature, 400 for a malformed body, else 200.
  // Runs on the HTTP threads; the server must stop before the PeerLink goes.
  api::RawHttpResponse handle_post(const api::RawHttpRequest& request);
  api::RawPostHandler post_handler();

  PeerLinkCounters counters() const;

 private:
  struct Inbound;
  struct Outbound;

  void post_to_receiver(PeerMessage message);

  HostIndex self_;
  std::vector<std::uint8_t> secret_;
  asio::any_io_executor loop_;
  std::shared_ptr<Inbound> inbound_;
  std::unique_ptr<Outbound> outbound_;
};

}  // namespace poolha::daemon

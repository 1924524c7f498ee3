#include "daemon/vms/peer_link.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

namespace poolha::daemon {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string lower_case(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

api::RawHttpResponse plain(int status, std::string text) {
  return api::RawHttpResponse{status, std::move(text) + "\n", "text/plain"};
}

const char* type_name(const PeerMessage& message) {
  return std::visit(
      [](const auto& m) -> const char* {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, failover::VmCommand>) return "vm command";
        if constexpr (std::is_same_v<T, failover::VmCommandResult>) return "command result";
        if constexpr (std::is_same_v<T, failover::HostReport>) return "host report";
        return "report ack";
      },
      message);
}

}  // namespace

// The receiver, shared with messages posted to the loop: they find it gone
// once the PeerLink is destroyed.
struct PeerLink::Inbound {
  Receiver receiver;
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> refused{0};
};

// The per-peer queues and the sender thread that empties them.
struct PeerLink::Outbound {
  struct Signed {
    std::string body;
    std::string mac;
  };
  struct Peer {
    PeerEndpoint endpoint;
    std::unique_ptr<httplib::Client> client;  // used by the sender thread only
    std::deque<Signed> waiting;
    SteadyClock::time_point paused_until{};
    Duration pause{};      // after its latest failure
    bool failing = false;  // its last post failed (logged once per outage)
  };

  PeerLinkConfig config;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::map<HostIndex, Peer> peers;
  HostIndex last_served = kNoHost;
  httplib::Client* posting = nullptr;  // the client of the post under way
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
  std::uint64_t dropped = 0;
  std::thread thread;

  void run();
  // The next peer to serve, round robin from after the last one served;
  // nullptr if none may be served now (`wake_at` then says when one may).
  Peer* next_peer(SteadyClock::time_point now, std::optional<SteadyClock::time_point>* wake_at,
                  HostIndex* index);
};

PeerLink::Outbound::Peer* PeerLink::Outbound::next_peer(
    SteadyClock::time_point now, std::optional<SteadyClock::time_point>* wake_at,
    HostIndex* index) {
  auto start = peers.upper_bound(last_served);
  for (std::size_t step = 0; step < peers.size(); ++step, ++start) {
    if (start == peers.end()) start = peers.begin();
    Peer& peer = start->second;
    if (peer.waiting.empty()) continue;
    if (peer.paused_until > now) {
      if (!*wake_at || peer.paused_until < **wake_at) *wake_at = peer.paused_until;
      continue;
    }
    *index = start->first;
    return &peer;
  }
  return nullptr;
}

void PeerLink::Outbound::run() {
  const std::string path(kPeerMessagePath);
  const std::string mac_header(kPeerMacHeader);
  std::unique_lock lock(mutex);
  while (!stopping) {
    std::optional<SteadyClock::time_point> wake_at;
    HostIndex index = kNoHost;
    Peer* peer = next_peer(SteadyClock::now(), &wake_at, &index);
    if (!peer) {
      if (wake_at) {
        wake.wait_until(lock, *wake_at);
      } else {
        wake.wait(lock);
      }
      continue;
    }
    Signed message = std::move(peer->waiting.front());
    peer->waiting.pop_front();
    last_served = index;
    httplib::Client& client = *peer->client;
    posting = &client;
    lock.unlock();
    const httplib::Headers headers{{mac_header, message.mac}};
    const httplib::Result result = client.Post(path, headers, message.body, "application/json");
    lock.lock();
    posting = nullptr;
    const bool ok = result && result->status == 200;
    if (ok) {
      ++sent;
      if (peer->failing) spdlog::info("peer messages: h{} answers again", index);
      peer->failing = false;
      continue;
    }
    ++failed;
    peer->pause =
        peer->failing ? std::min(peer->pause * 2, config.max_pause) : config.pause_after_failure;
    peer->paused_until = SteadyClock::now() + peer->pause;
    if (!peer->failing && !stopping) {
      const std::string why = result ? fmt::format("HTTP {}: {}", result->status, result->body)
                                     : httplib::to_string(result.error());
      spdlog::warn("peer messages: h{} at {}:{} failed a message ({}); best effort, resent later",
                   index, peer->endpoint.address, peer->endpoint.port, why);
    }
    peer->failing = true;
  }
}

PeerLink::PeerLink(PeerLinkConfig config, asio::any_io_executor loop, Receiver receiver)
    : self_(config.self),
      secret_(config.secret),
      loop_(std::move(loop)),
      inbound_(std::make_shared<Inbound>()),
      outbound_(std::make_unique<Outbound>()) {
  if (self_ >= kMaxHosts) throw std::invalid_argument("peer link: self is not a host index");
  if (secret_.empty()) throw std::invalid_argument("peer link: the pool secret is empty");
  if (config.queue_limit == 0) throw std::invalid_argument("peer link: queue_limit is 0");
  if (config.pause_after_failure <= Duration::zero() ||
      config.max_pause < config.pause_after_failure) {
    throw std::invalid_argument("peer link: pauses must be positive and max_pause the longest");
  }
  if (!receiver) throw std::invalid_argument("peer link: no receiver");
  for (const auto& [host, endpoint] : config.peers) {
    if (host >= kMaxHosts || host == self_) {
      throw std::invalid_argument(fmt::format("peer link: h{} is not a peer host index", host));
    }
    if (endpoint.address.empty() || endpoint.port <= 0 || endpoint.port > 65535) {
      throw std::invalid_argument(
          fmt::format("peer link: h{} has no valid address and port ({}:{})", host,
                      endpoint.address, endpoint.port));
    }
  }
  inbound_->receiver = std::move(receiver);
  Outbound& out = *outbound_;
  for (const auto& [host, endpoint] : config.peers) {
    Outbound::Peer peer;
    peer.endpoint = endpoint;
    peer.client = std::make_unique<httplib::Client>(endpoint.address, endpoint.port);
    peer.client->set_connection_timeout(config.connect_timeout);
    peer.client->set_read_timeout(config.io_timeout);
    peer.client->set_write_timeout(config.io_timeout);
    out.peers.emplace(host, std::move(peer));
  }
  out.config = std::move(config);
  out.thread = std::thread([&out] { out.run(); });
}

PeerLink::~PeerLink() {
  Outbound& out = *outbound_;
  {
    std::lock_guard lock(out.mutex);
    out.stopping = true;
    if (out.posting) out.posting->stop();
  }
  out.wake.notify_all();
  out.thread.join();
}

void PeerLink::send(HostIndex to, PeerMessage message) {
  if (to == self_) {
    post_to_receiver(std::move(message));
    return;
  }
  Outbound& out = *outbound_;
  Outbound::Signed signed_message;
  signed_message.body = encode_peer_message(message);
  signed_message.mac = sign_peer_message(secret_, signed_message.body);
  {
    std::lock_guard lock(out.mutex);
    const auto it = out.peers.find(to);
    if (it == out.peers.end()) {
      ++out.dropped;
      spdlog::error("peer messages: no endpoint for h{}; a {} to it is dropped", to,
                    type_name(message));
      return;
    }
    std::deque<Outbound::Signed>& waiting = it->second.waiting;
    if (waiting.size() >= out.config.queue_limit) {
      waiting.pop_front();  // the newest state matters most; both sides resend
      ++out.dropped;
    }
    waiting.push_back(std::move(signed_message));
  }
  out.wake.notify_one();
}

void PeerLink::post_to_receiver(PeerMessage message) {
  ++inbound_->received;
  asio::post(loop_,
             [inbound = std::weak_ptr<Inbound>(inbound_), message = std::move(message)]() mutable {
               if (const auto in = inbound.lock()) in->receiver(std::move(message));
             });
}

api::RawHttpResponse PeerLink::handle_post(const api::RawHttpRequest& request) {
  static const std::string mac_header = lower_case(kPeerMacHeader);
  const auto mac = request.headers.find(mac_header);
  if (mac == request.headers.end()) {
    ++inbound_->refused;
    spdlog::warn("peer messages: refused a message from {} without the {} header",
                 request.remote_address, kPeerMacHeader);
    return plain(401, fmt::format("missing the {} header", kPeerMacHeader));
  }
  if (!verify_peer_message(secret_, request.body, mac->second)) {
    ++inbound_->refused;
    spdlog::warn("peer messages: refused a message from {} with a bad signature",
                 request.remote_address);
    return plain(401, "bad signature: not signed with this pool's secret");
  }
  std::string error;
  std::optional<PeerMessage> message = decode_peer_message(request.body, &error);
  if (!message) {
    ++inbound_->refused;
    spdlog::warn("peer messages: refused a malformed message from {}: {}", request.remote_address,
                 error);
    return plain(400, "malformed failover message: " + error);
  }
  post_to_receiver(std::move(*message));
  return api::RawHttpResponse{200, "{}", "application/json"};
}

api::RawPostHandler PeerLink::post_handler() {
  return [this](const api::RawHttpRequest& request) { return handle_post(request); };
}

PeerLinkCounters PeerLink::counters() const {
  PeerLinkCounters c;
  {
    std::lock_guard lock(outbound_->mutex);
    c.sent = outbound_->sent;
    c.failed = outbound_->failed;
    c.dropped = outbound_->dropped;
  }
  c.received = inbound_->received;
  c.refused = inbound_->refused;
  return c;
}

}  // namespace poolha::daemon

// One ICMP socket per probe object, opened in the constructor, with a receive
// always pending. Replies are matched to the probe in progress by source
// address and sequence number (and, on a raw socket, which sees every ICMP
// packet of the host, by identifier and payload too).
#include "io/isolation_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <utility>

#include <fmt/format.h>
#include <asio/basic_datagram_socket.hpp>
#include <asio/error.hpp>
#include <asio/ip/basic_endpoint.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "io/default_gateway.h"
#include "io/icmp_echo.h"
#include "io/io_error.h"

namespace poolha::io {

namespace {

// IPv4 ICMP as an asio protocol whose socket type (SOCK_DGRAM or SOCK_RAW)
// is chosen at run time; asio's own icmp protocol is raw only.
class IcmpProtocol {
 public:
  using endpoint = asio::ip::basic_endpoint<IcmpProtocol>;
  using socket = asio::basic_datagram_socket<IcmpProtocol>;

  explicit IcmpProtocol(IcmpSocketKind kind) : kind_(kind) {}
  // basic_endpoint wants these; the kind is set when the socket is opened.
  static IcmpProtocol v4() { return IcmpProtocol(IcmpSocketKind::kDatagram); }
  static IcmpProtocol v6() { return IcmpProtocol(IcmpSocketKind::kDatagram); }

  int type() const { return kind_ == IcmpSocketKind::kRaw ? SOCK_RAW : SOCK_DGRAM; }
  int protocol() const { return IPPROTO_ICMP; }
  int family() const { return AF_INET; }

 private:
  IcmpSocketKind kind_;
};

constexpr std::size_t kReceiveBuffer = 2048;
constexpr std::size_t kNonceSize = 8;

std::string ping_group_range() {
  std::ifstream file("/proc/sys/net/ipv4/ping_group_range");
  std::string low, high;
  if (!(file >> low >> high)) return "unreadable";
  return low + " " + high;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator = "; ") {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

}  // namespace

std::string_view to_string(IcmpSocketKind kind) {
  return kind == IcmpSocketKind::kRaw ? "raw ICMP socket" : "ICMP datagram socket";
}

std::vector<asio::ip::address_v4> isolation_targets(
    const std::vector<asio::ip::address_v4>& configured, const std::string& management_interface) {
  if (!configured.empty()) return configured;
  return {default_gateway_of(management_interface)};
}

struct IsolationProbe::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, std::vector<asio::ip::address_v4> probe_targets)
      : socket(io), timer(io), targets(std::move(probe_targets)) {}

  struct Probe {
    Callback done;
    std::uint16_t sequence = 0;
    Duration timeout{};
    std::vector<std::string> send_failures;
  };

  IcmpProtocol::socket socket;
  asio::steady_timer timer;
  std::vector<asio::ip::address_v4> targets;
  IcmpSocketKind kind = IcmpSocketKind::kDatagram;
  std::uint16_t identifier = 0;  // raw sockets; a datagram socket's is set by the kernel
  std::vector<std::uint8_t> nonce = std::vector<std::uint8_t>(kNonceSize);
  std::uint16_t sequence = 0;
  std::optional<Probe> active;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(kReceiveBuffer);
  IcmpProtocol::endpoint sender;
  bool closed = false;

  // Returns the errno of the failure, 0 on success.
  int open(IcmpSocketKind wanted) {
    asio::error_code ec;
    socket.open(IcmpProtocol(wanted), ec);
    if (ec) return ec.value();
    kind = wanted;
    return 0;
  }

  void receive_next() {
    socket.async_receive_from(
        asio::buffer(buffer), sender,
        [self = shared_from_this()](const asio::error_code& ec, std::size_t length) {
          if (ec == asio::error::operation_aborted || self->closed) return;
          if (!ec) self->on_datagram(length);
          self->receive_next();
        });
  }

  void on_datagram(std::size_t length) {
    if (!active) return;
    const auto reply = parse_echo_reply(std::span<const std::uint8_t>(buffer.data(), length),
                                        kind == IcmpSocketKind::kRaw);
    if (!reply || reply->sequence != active->sequence) return;
    if (kind == IcmpSocketKind::kRaw &&
        (reply->identifier != identifier || reply->payload != nonce)) {
      return;
    }
    const asio::ip::address from = sender.address();
    if (!from.is_v4()) return;
    if (std::find(targets.begin(), targets.end(), from.to_v4()) == targets.end()) return;
    IsolationProbeResult result;
    result.reachable = true;
    result.answered_by = from.to_v4();
    finish(std::move(result));
  }

  void on_timeout() {
    if (!active) return;
    std::vector<std::string> answers_missing;
    for (const auto& target : targets) answers_missing.push_back(target.to_string());
    std::string detail = fmt::format("no echo reply within {:g} ms from {}",
                                     active->timeout.count() / 1000.0, join(answers_missing, ", "));
    if (!active->send_failures.empty()) {
      detail += fmt::format(" (send failures: {})", join(active->send_failures));
    }
    IsolationProbeResult result;
    result.detail = std::move(detail);
    finish(std::move(result));
  }

  void finish(IsolationProbeResult result) {
    Callback done = std::move(active->done);
    active.reset();
    timer.cancel();
    asio::post(socket.get_executor(),
               [self = shared_from_this(), done = std::move(done), result = std::move(result)] {
                 if (!self->closed) done(result);
               });
  }

  void start(Duration timeout, Callback done) {
    Probe probe;
    probe.done = std::move(done);
    probe.sequence = ++sequence;
    probe.timeout = timeout;
    const std::vector<std::uint8_t> request =
        encode_echo_request(identifier, probe.sequence, nonce);
    for (const auto& target : targets) {
      asio::error_code ec;
      socket.send_to(asio::buffer(request), IcmpProtocol::endpoint(target, 0), 0, ec);
      if (ec)
        probe.send_failures.push_back(fmt::format("{}: {}", target.to_string(), ec.message()));
    }
    active = std::move(probe);
    if (active->send_failures.size() == targets.size()) {
      IsolationProbeResult result;
      result.detail = fmt::format("could not send an echo request to any isolation address: {}",
                                  join(active->send_failures));
      finish(std::move(result));
      return;
    }
    timer.expires_after(timeout);
    timer.async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (!ec && !self->closed) self->on_timeout();
    });
  }
};

IsolationProbe::IsolationProbe(asio::io_context& io, std::vector<asio::ip::address_v4> targets,
                               IcmpSocketChoice choice)
    : state_(std::make_shared<State>(io, std::move(targets))) {
  if (state_->targets.empty()) throw IoError("isolation probe: no address to probe");

  int datagram_error = 0;
  int raw_error = 0;
  if (choice != IcmpSocketChoice::kRaw) datagram_error = state_->open(IcmpSocketKind::kDatagram);
  const bool have_datagram = choice != IcmpSocketChoice::kRaw && datagram_error == 0;
  if (!have_datagram && choice != IcmpSocketChoice::kDatagram) {
    raw_error = state_->open(IcmpSocketKind::kRaw);
  }
  if (!state_->socket.is_open()) {
    std::vector<std::string> reasons;
    if (choice != IcmpSocketChoice::kRaw) {
      reasons.push_back(fmt::format(
          "ICMP datagram socket refused ({}): group {} is not in net.ipv4.ping_group_range ({})",
          std::strerror(datagram_error), getgid(), ping_group_range()));
    }
    if (choice != IcmpSocketChoice::kDatagram) {
      reasons.push_back(fmt::format("raw ICMP socket refused ({}): it needs CAP_NET_RAW",
                                    std::strerror(raw_error)));
    }
    throw IoError(fmt::format("isolation probe cannot send ICMP echo requests: {}", join(reasons)));
  }
  asio::error_code ec;
  state_->socket.non_blocking(true, ec);
  if (ec)
    throw IoError(
        fmt::format("isolation probe: cannot make its socket non-blocking: {}", ec.message()));

  std::random_device random;
  state_->identifier = static_cast<std::uint16_t>(random());
  for (auto& byte : state_->nonce) byte = static_cast<std::uint8_t>(random());
  state_->sequence = static_cast<std::uint16_t>(random());
  state_->receive_next();
}

IsolationProbe::~IsolationProbe() {
  state_->closed = true;
  state_->active.reset();
  asio::error_code ignored;
  state_->timer.cancel();
  state_->socket.close(ignored);
}

void IsolationProbe::probe(Duration timeout, Callback done) {
  if (state_->active) throw IoError("isolation probe: a probe is already in progress");
  if (!done) throw IoError("isolation probe: no callback");
  state_->start(timeout, std::move(done));
}

bool IsolationProbe::in_progress() const {
  return state_->active.has_value();
}

IcmpSocketKind IsolationProbe::socket_kind() const {
  return state_->kind;
}

const std::vector<asio::ip::address_v4>& IsolationProbe::targets() const {
  return state_->targets;
}

}  // namespace poolha::io

// Answers "can this host still reach the outside world?": one ICMP echo
// request to each configured isolation address, reachable as soon as any of
// them answers, unreachable when none does within the timeout (or no request
// could be sent at all). The result feeds Engine::set_isolation_reachable,
// which uses it to tell a host with a dead uplink from a healthy one.
//
// Socket choice: an ICMP datagram socket (SOCK_DGRAM, IPPROTO_ICMP) when the
// process's group is in net.ipv4.ping_group_range, which needs no privilege;
// otherwise a raw ICMP socket, which needs CAP_NET_RAW. socket_kind() says
// which is in use. The socket is opened once, in the constructor (and in the
// network namespace the calling thread is in).
//
// Runs on the given io_context: the callback is posted there.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/address_v4.hpp>

#include "common/time.h"

namespace poolha::io {

enum class IcmpSocketKind { kDatagram, kRaw };
std::string_view to_string(IcmpSocketKind kind);

enum class IcmpSocketChoice {
  kAuto,      // datagram when permitted, else raw
  kDatagram,  // only a datagram socket
  kRaw,       // only a raw socket
};

struct IsolationProbeResult {
  bool reachable = false;
  std::optional<asio::ip::address_v4> answered_by;  // when reachable
  std::string detail;                               // why unreachable
};

// The configured isolation addresses, or when there are none, the default
// gateway of the management interface (throws IoError if it has none).
std::vector<asio::ip::address_v4> isolation_targets(
    const std::vector<asio::ip::address_v4>& configured, const std::string& management_interface);

class IsolationProbe {
 public:
  using Callback = std::function<void(IsolationProbeResult)>;

  // Throws IoError when `targets` is empty or no permitted ICMP socket of
  // the chosen kind can be opened; the message says what is missing.
  IsolationProbe(asio::io_context& io, std::vector<asio::ip::address_v4> targets,
                 IcmpSocketChoice choice = IcmpSocketChoice::kAuto);
  // Drops a probe in progress: its callback never runs.
  ~IsolationProbe();
  IsolationProbe(const IsolationProbe&) = delete;
  IsolationProbe& operator=(const IsolationProbe&) = delete;

  // Starts a probe. One at a time: throws IoError if one is in progress.
  void probe(Duration timeout, Callback done);
  bool in_progress() const;

  IcmpSocketKind socket_kind() const;
  const std::vector<asio::ip::address_v4>& targets() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with pending handlers
};

}  // namespace poolha::io

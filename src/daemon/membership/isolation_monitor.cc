// Periodic isolation probing. A probe callback can arrive after stop() (the
// probe only drops callbacks when it is destroyed), so every callback carries
// the round it was started in and stale ones are ignored.
#include "daemon/membership/isolation_monitor.h"

#include <exception>

#include <fmt/format.h>

namespace poolha::daemon {

IsolationMonitor::IsolationMonitor(asio::io_context& io,
                                   const std::vector<asio::ip::address_v4>& addresses,
                                   const std::string& management_interface)
    : timer_(io) {
  if (addresses.empty() && management_interface.empty()) {
    unavailable_ =
        "no isolation address configured and no management interface to take the "
        "default gateway from";
    return;
  }
  try {
    probe_ = std::make_unique<io::IsolationProbe>(
        io, io::isolation_targets(addresses, management_interface));
  } catch (const std::exception& e) {
    unavailable_ = e.what();
  }
}

IsolationMonitor::~IsolationMonitor() {
  *alive_ = false;
}

std::string IsolationMonitor::describe_targets() const {
  if (!probe_) return "none";
  std::string text;
  for (const auto& address : probe_->targets()) {
    text += (text.empty() ? "" : ", ") + address.to_string();
  }
  return fmt::format("{} ({} ICMP socket)", text, io::to_string(probe_->socket_kind()));
}

void IsolationMonitor::start(Duration interval, Duration timeout, ResultHandler on_result) {
  if (!probe_) return;
  ++round_;
  interval_ = interval;
  timeout_ = timeout;
  on_result_ = std::move(on_result);
  schedule(Duration::zero());
}

void IsolationMonitor::stop() {
  ++round_;
  on_result_ = nullptr;
  timer_.cancel();
}

void IsolationMonitor::schedule(Duration delay) {
  timer_.expires_after(delay);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_), round = round_](const std::error_code& error) {
        if (error || alive.expired() || round != round_) return;
        run_probe();
      });
}

void IsolationMonitor::run_probe() {
  if (probe_->in_progress()) {  // the previous one is still waiting for its timeout
    schedule(interval_);
    return;
  }
  probe_->probe(timeout_, [this, alive = std::weak_ptr<bool>(alive_),
                           round = round_](io::IsolationProbeResult result) {
    if (alive.expired() || round != round_) return;
    schedule(interval_);
    if (on_result_) on_result_(result);
  });
}

}  // namespace poolha::daemon

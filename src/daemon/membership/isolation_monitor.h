// Runs the isolation probe periodically for the membership driver and
// reports each result. The targets are resolved once, when the monitor is
// built: the configured isolation addresses, or the management interface's
// default gateway. When there is neither, or no ICMP socket may be opened,
// the monitor is unavailable and says why; the driver then skips probing.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/address_v4.hpp>
#include <asio/steady_timer.hpp>

#include "common/time.h"
#include "io/isolation_probe.h"

namespace poolha::daemon {

class IsolationMonitor {
 public:
  using ResultHandler = std::function<void(const io::IsolationProbeResult& result)>;

  IsolationMonitor(asio::io_context& io, const std::vector<asio::ip::address_v4>& addresses,
                   const std::string& management_interface);
  ~IsolationMonitor();
  IsolationMonitor(const IsolationMonitor&) = delete;
  IsolationMonitor& operator=(const IsolationMonitor&) = delete;

  // Why there is nothing to probe; empty when probing works.
  const std::optional<std::string>& unavailable() const { return unavailable_; }
  std::string describe_targets() const;

  // Probes now and then every `interval`, each probe waiting `timeout` at
  // most; `on_result` gets every result. Restarting replaces the previous
  // schedule. Does nothing when unavailable.
  void start(Duration interval, Duration timeout, ResultHandler on_result);
  void stop();

 private:
  void schedule(Duration delay);
  void run_probe();

  asio::steady_timer timer_;
  std::unique_ptr<io::IsolationProbe> probe_;
  std::optional<std::string> unavailable_;
  Duration interval_{};
  Duration timeout_{};
  ResultHandler on_result_;
  std::uint64_t round_ = 0;  // bumped by start/stop so stale results are dropped
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace poolha::daemon

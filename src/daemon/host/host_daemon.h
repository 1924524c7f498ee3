// One host's daemon: builds the host's environment from its configuration
// and joins the daemon's parts on one event loop (docs/daemon.md):
//
//   membership driver ──status──▶ roles: who writes the pool database, who
//        │                        runs the failover coordinator, whether the
//        │                        VM agent takes part
//        └─events──▶ alerts in the API's event log
//   pool store ──snapshots──▶ API records and events (RecordWatcher)
//   VM failover ──Ready──▶ persisted through the pool store, then sent
//   API (JSON-RPC, /internal/failover, /metrics) on the configured port
//
// Decisions stay in the pure parts; this class only moves inputs and
// outputs. Everything runs on the io_context's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "api/event_log.h"
#include "api/record_watcher.h"
#include "daemon/config.h"
#include "daemon/membership/membership_status.h"
#include "failover/pool_mapping.h"
#include "io/monotonic_clock.h"

namespace poolha::io {
class BlockDevice;
class StorageWorker;
}  // namespace poolha::io
namespace poolha::fence {
class Watchdog;
}
namespace poolha::vm {
class VmDriver;
class VmProcessRegistry;
}  // namespace poolha::vm

namespace poolha::daemon {

class ApiService;
class BootCounter;
class DaemonBackend;
class DaemonMetrics;
class MembershipDriver;
class PeerLink;
class PoolStore;
class StorePersister;
class SystemdNotifier;
class VmFailover;
class WatchdogKeepalive;

class HostDaemon final : public MembershipListener {
 public:
  // Opens everything the configuration names (heartbeat SR, fencer, VM
  // driver, heartbeat socket); throws with a message naming what failed.
  HostDaemon(asio::io_context& io, DaemonConfig config);
  ~HostDaemon() override;
  HostDaemon(const HostDaemon&) = delete;
  HostDaemon& operator=(const HostDaemon&) = delete;

  // Loads the pool database and starts serving the API.
  void start();
  // A clean stop: a member leaves the liveset first (its VMs are stopped and
  // restarted elsewhere, nobody fences), then `finished` runs. Bounded by
  // two HA timeouts; past that the daemon stops anyway and, still armed, is
  // fenced by its fencer, which is the safe outcome.
  void shutdown(std::function<void()> finished);

  // MembershipListener
  void on_status(const MembershipStatus& status) override;
  void on_event(const ha::Event& event) override;

 private:
  void load_database();
  void update_roles();
  bool should_write_database() const;
  void become_database_master();
  void on_needs_coordinator(std::uint64_t term);
  void start_coordinator_if_ready();
  void on_snapshot();
  void publish_record_events();
  void post_alert(const std::string& name, const std::string& cls, const std::string& uuid,
                  const std::string& text);
  void schedule_housekeeping();
  // `finished(all_stopped)`: false if any VM failed to stop.
  void stop_all_vms(std::function<void(bool all_stopped)> finished);
  void leave_liveset();
  void finish_shutdown();
  std::string host_uuid(HostIndex host) const;

  asio::io_context& io_;
  DaemonConfig config_;
  std::vector<std::uint8_t> secret_;
  failover::HostDirectory directory_;
  io::MonotonicClock clock_;
  std::unique_ptr<BootCounter> boot_counter_;
  std::shared_ptr<io::BlockDevice> device_;
  std::unique_ptr<io::StorageWorker> worker_;
  std::unique_ptr<fence::Watchdog> fencer_;
  std::unique_ptr<vm::VmProcessRegistry> registry_;
  std::unique_ptr<vm::VmDriver> driver_;
  std::unique_ptr<PoolStore> store_;
  std::unique_ptr<StorePersister> persister_;
  std::unique_ptr<PeerLink> link_;
  std::unique_ptr<VmFailover> failover_;
  std::unique_ptr<MembershipDriver> membership_;
  std::unique_ptr<DaemonBackend> backend_;
  api::EventLog events_;
  api::RecordWatcher watcher_;
  std::unique_ptr<DaemonMetrics> metrics_;
  std::unique_ptr<ApiService> api_;
  std::unique_ptr<SystemdNotifier> notifier_;
  std::unique_ptr<WatchdogKeepalive> keepalive_;
  asio::steady_timer housekeeping_;
  asio::steady_timer retry_timer_;
  asio::steady_timer shutdown_timer_;

  MembershipStatus status_;
  bool loaded_ = false;                            // the first load of the pool database succeeded
  bool becoming_master_ = false;                   // store.become_master in flight
  std::optional<std::uint64_t> coordinator_term_;  // asked for, not started yet
  bool shutting_down_ = false;
  bool vms_stopped_after_leave_ = false;
  std::function<void()> shutdown_finished_;
  // Handlers that may run after the daemon is gone check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace poolha::daemon

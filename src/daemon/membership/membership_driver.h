// The daemon's membership driver: owns this host's HA membership on the
// daemon's event loop. It drives the pure membership engine (src/ha) exactly
// as the simulator does, with real I/O: heartbeats over UDP, statefile
// operations on the heartbeat SR through the shared storage worker, ticks on
// a steady timer, the isolation probe, and the host's fencer.
//
// While HA is off for this host there is no engine: the driver reads the
// statefile's global section every poll interval and builds an engine when a
// new HA-enable generation (pool state INIT or ACTIVE) lists this host. When
// the engine reaches left, disabled or fenced it is dropped again. A host
// whose fencer does not answer never builds an engine: a host that cannot
// fence itself must not be counted in a liveset.
//
// Threading: everything, including listener calls and command results, runs
// on the io_context's thread. The io_context must outlive the driver.
// Destroying the driver does not disarm the watchdog: a daemon that dies
// while a member is fenced by it, which is the point.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/host_set.h"
#include "common/time.h"
#include "daemon/membership/boot_counter.h"
#include "daemon/membership/isolation_monitor.h"
#include "daemon/membership/membership_config.h"
#include "daemon/membership/membership_status.h"
#include "fence/watchdog.h"
#include "ha/engine.h"
#include "io/monotonic_clock.h"
#include "io/storage_jobs.h"
#include "io/storage_worker.h"
#include "io/udp_transport.h"
#include "wire/statefile.h"

namespace poolha::daemon {

class MembershipDriver {
 public:
  // Result of HA enable: nullopt on success, otherwise why it failed.
  using EnableDone = std::function<void(const std::optional<std::string>& error)>;

  // Binds the heartbeat socket (throws io::IoError when it cannot) and starts
  // watching the statefile. `statefile` is the statefile's region of the
  // heartbeat SR; it must hold the statefile for config.host_count hosts
  // (throws MembershipConfigError otherwise). `listener` may be null.
  MembershipDriver(asio::io_context& io, MembershipConfig config, io::StorageWorker& storage,
                   io::DeviceRegion statefile, fence::Watchdog& watchdog, const io::Clock& clock,
                   BootCounter& boot_counter, MembershipListener* listener);
  ~MembershipDriver();
  MembershipDriver(const MembershipDriver&) = delete;
  MembershipDriver& operator=(const MembershipDriver&) = delete;

  // HA enable, initiated on this host: checks the fencer, reads the global
  // section, builds an engine for the next generation with base timeout
  // `base_timeout` and issues Command kEnable. `done` runs once: when this
  // host's engine is a member of a committed liveset, or with the reason it
  // was refused or stopped first. It never runs inside this call.
  void enable(Duration base_timeout, EnableDone done);

  // The engine's commands. Each returns nullopt when handed to the engine,
  // or why it was refused (no engine, bad target). The engine's own refusals
  // arrive as alerts through the listener.
  std::optional<std::string> disable();
  std::optional<std::string> leave();
  std::optional<std::string> hand_over(HostIndex target);
  std::optional<std::string> disarm_fencing();
  // Also taken while HA is off because the statefile cannot be read (the
  // host would otherwise join once it can): it then stays out of the
  // generation it finds, until HA is enabled again.
  std::optional<std::string> emergency_disable();

  const MembershipStatus& status() const { return status_; }
  // Every host as this host's engine sees it; empty while HA is off.
  std::vector<HostReachability> hosts() const;
  // The running engine, for read-only introspection; null while HA is off.
  const ha::Engine* engine() const { return engine_.get(); }
  asio::ip::udp::endpoint heartbeat_endpoint() const { return udp_.local_endpoint(); }

 private:
  void schedule_poll(Duration delay);
  void poll();
  void read_global(std::function<void(io::StorageResult)> done);
  // Why an engine cannot be built for this global section; nullopt if it can.
  std::optional<std::string> refuse_section(const wire::GlobalSection& section) const;
  void on_polled(const io::StorageResult& result);
  void on_enable_read(Duration base_timeout, const io::StorageResult& result);
  void finish_enable(const std::optional<std::string>& error);
  void post_enable_result(EnableDone done, std::string error);

  // Builds and starts an engine; returns why not on failure.
  std::optional<std::string> start_engine(std::uint64_t generation, const ha::Timing& timing,
                                          bool initiate_enable);
  std::optional<std::string> send_command(const ha::Command& command);
  template <typename Input>
  void drive(Input&& input);
  void process_ready();
  void run_storage_op(const ha::StorageOp& op);
  void on_datagram(std::span<const std::uint8_t> datagram);
  void on_isolation(const io::IsolationProbeResult& result);
  void apply_watchdog(ha::WatchdogAction action);
  void fence(const std::string& reason);
  void retire_engine();
  void halt(const std::string& reason);
  void schedule_tick();
  void log_event(const ha::Event& event) const;
  void set_off(std::string reason);
  // set_off for a global section that cannot be read or decoded.
  void set_off_statefile_unreadable(std::string why);
  void refresh_status();
  void publish_status();

  // Handlers posted to the loop or to the storage worker check this first:
  // they may run after the driver is gone. Declared first so it is built
  // before, and destroyed after, everything that hands it out.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  asio::io_context& io_;
  MembershipConfig config_;
  wire::StatefileLayout layout_;
  io::StorageWorker& storage_;
  io::DeviceRegion statefile_;  // exactly the statefile's bytes
  fence::Watchdog& watchdog_;
  const io::Clock& clock_;
  BootCounter& boot_counter_;
  MembershipListener* listener_;

  io::UdpTransport udp_;
  IsolationMonitor isolation_;
  asio::steady_timer tick_timer_;
  asio::steady_timer poll_timer_;

  std::unique_ptr<ha::Engine> engine_;
  std::uint64_t engine_serial_ = 0;  // completions of an earlier engine are dropped
  std::optional<ha::Timing> timing_;
  std::uint64_t generation_ = 0;
  std::uint32_t incarnation_ = 0;
  bool incarnation_used_ = false;
  bool watchdog_armed_ = false;
  std::optional<bool> isolation_reachable_;
  // Generations this host left, saw disabled or was stopped in: never rejoined.
  std::uint64_t retired_generation_ = 0;
  std::optional<std::string> halted_;  // fenced or lost its fencer: no engine again in this run
  // The last poll could not read or decode the global section, and why.
  bool statefile_unreadable_ = false;
  std::string unreadable_reason_;
  // An emergency disable came while the statefile could not be read: the
  // generation read next is retired.
  bool emergency_disabled_ = false;
  bool poll_in_flight_ = false;
  bool enable_in_flight_ = false;  // reading the global section for enable()
  EnableDone enable_done_;
  std::string last_off_logged_;
  std::uint64_t next_storage_id_ = 1;
  std::vector<ha::Event> pending_events_;
  MembershipStatus status_;
  MembershipStatus published_;
  bool published_once_ = false;
  bool storage_failing_ = false;  // to log a failing statefile once, not every op
};

}  // namespace poolha::daemon

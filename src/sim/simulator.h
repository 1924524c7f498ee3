// Runs N unmodified ha::Engine instances on virtual time: delivers packets,
// completes statefile ops, fires ticks and watchdogs, injects faults, and
// checks the safety invariants after every event. Deterministic: the same
// configuration and seed give the same timeline, byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ha/engine.h"
#include "ha/timing.h"
#include "sim/event_queue.h"
#include "sim/network.h"
#include "sim/prng.h"
#include "sim/sim_host.h"
#include "sim/sim_pool.h"
#include "sim/storage.h"
#include "sim/timeline.h"
#include "sim/virtual_time.h"

namespace poolha::sim {

struct SimConfig {
  std::uint16_t hosts = 3;
  ha::Timing timing;
  std::uint64_t seed = 1;
  std::vector<std::uint32_t> weights;                      // empty: all 1
  std::optional<Duration> reboot_after_fence = 60s;        // nullopt: never
  std::vector<std::optional<TimePoint>> first_boot_clock;  // per host; default distinct values
  TimePoint reboot_clock = from_us(20'000'000);            // local clock reading after a reboot
  std::vector<std::int32_t> drift_ppm;                     // per host; empty: no drift
  LinkProperties network;
  StorageLatency storage;
  std::vector<std::optional<StorageLatency>> host_storage;  // per-host overrides
  Timeline::Options timeline;
  bool stop_on_violation = false;
  std::optional<SimPoolConfig> pool;  // VMs, hypervisors and failover; none: membership only
};

struct Violation {
  VirtualTime at{};
  std::string invariant;  // "(a) one master", "(b) removal", ...
  std::string detail;
};

struct FenceRecord {
  VirtualTime at{};
  HostIndex host = 0;
  std::uint32_t incarnation = 0;
  std::string reason;
};

struct AlertRecord {
  VirtualTime at{};
  HostIndex host = 0;
  std::string name;
  std::string text;
};

// Every kLivesetChanged any engine emitted, in order.
struct Announcement {
  VirtualTime at{};
  HostIndex by = 0;
  std::uint32_t by_incarnation = 0;
  wire::Membership membership;
};

struct SimCounters {
  std::uint64_t events = 0;
  std::uint64_t engine_calls = 0;
  std::uint64_t storage_ops = 0;
};

class Simulator {
 public:
  explicit Simulator(SimConfig config);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Processes every event up to and including `end`; stops early after a
  // violation when stop_on_violation is set. Afterwards now() == end.
  void run_until(VirtualTime end);
  VirtualTime now() const { return now_; }
  bool stopped() const { return stopped_; }

  // Runs `action` at `at` (not before now()), in order with other events.
  void at(VirtualTime at, std::function<void()> action);

  // Faults and operator actions; each takes effect at now() and is logged.
  void power_on(HostIndex h);
  void power_off(HostIndex h);
  void hang(HostIndex h, Duration how_long);
  void command(HostIndex h, const ha::Command& cmd);
  void set_nic(HostIndex h, bool up);
  void set_link(HostIndex from, HostIndex to, bool up);   // one direction
  void set_link_pair(HostIndex a, HostIndex b, bool up);  // both directions
  void set_link_properties(HostIndex from, HostIndex to, std::optional<Duration> delay,
                           std::optional<Duration> jitter, std::optional<std::uint32_t> loss_ppm);
  void set_switch(bool up);
  void set_loss(std::uint32_t ppm);
  void set_storage_path(HostIndex h, PathState state);
  void set_storage_latency(HostIndex h, StorageLatency latency);
  void tear_next_write(HostIndex h);
  void set_isolation(HostIndex h, IsolationSetting setting);
  void clock_jump(HostIndex h, Duration by);
  void set_drift(HostIndex h, std::int32_t ppm);
  // Undoes every fault: network, storage paths, isolation, powers on hosts
  // that are off (fenced hosts keep their reboot timer unless it is "never"),
  // and restarts hosts whose daemon stopped after a leave or disable.
  void heal();
  // Invariant (c): faults are over, the survivors must agree.
  void check_settled();

  // Appends a line to the timeline (scenario notes, expectation results).
  void note(std::string_view text);
  void violation(std::string invariant, std::string detail);

  // For the VM layer (SimPool).
  TimePoint local_time(HostIndex h) const { return hosts_[h].clock.local(now_); }
  VirtualTime virtual_time_of(HostIndex h, TimePoint local) const {
    return hosts_[h].clock.virtual_at(local);
  }
  // A message's delivery delay from -> to, or nullopt when the network drops it.
  std::optional<Duration> route(HostIndex from, HostIndex to);
  void log_host(HostIndex h, std::string_view text) { log(hosts_[h], text); }
  void record_alert(HostIndex h, std::string name, std::string text);
  SimPool* pool() { return pool_.get(); }
  const SimPool* pool() const { return pool_.get(); }

  // Introspection.
  const SimConfig& config() const { return config_; }
  std::uint16_t host_count() const { return config_.hosts; }
  const SimHost& host(HostIndex h) const { return hosts_[h]; }
  Network& network() { return network_; }
  Storage& storage() { return storage_; }
  Timeline& timeline() { return timeline_; }
  const std::vector<Violation>& violations() const { return violations_; }
  const std::vector<FenceRecord>& fences() const { return fences_; }
  const std::vector<AlertRecord>& alerts() const { return alerts_; }
  const std::vector<Announcement>& announcements() const { return announcements_; }
  const SimCounters& counters() const { return counters_; }
  // The running host that is master; the lowest if several (a violation).
  std::optional<HostIndex> current_master() const;
  std::string describe(HostIndex h) const;  // "off", "fenced", "running #2 member", ...

 private:
  struct Event {
    enum class Kind : std::uint8_t {
      kTick,
      kPacket,
      kStorage,
      kWatchdog,
      kReboot,
      kHangEnd,
      kAction
    };
    Kind kind = Kind::kTick;
    HostIndex host = 0;
    std::uint32_t incarnation = 0;
    std::uint64_t token = 0;
    std::vector<std::uint8_t> bytes;
  };
  struct PendingChange {
    wire::Membership before;
    wire::Membership after;
  };

  void dispatch(Event& e);
  template <typename Input>
  void drive(SimHost& h, Input&& input);
  void process_ready(SimHost& h);
  void handle_engine_event(SimHost& h, const ha::Event& ev, std::vector<PendingChange>& changes);
  void check_removals(const SimHost& observer, const PendingChange& change);
  void check_admissions(const SimHost& observer, const PendingChange& change);
  void check_acts_after_removal(const SimHost& h);
  void schedule_tick(SimHost& h);
  void kick_watchdog(SimHost& h);
  void fence(SimHost& h, const std::string& reason);
  void stop_engine(SimHost& h);
  void deliver_storage(SimHost& h, StorageCompletion c);
  void resume(SimHost& h);
  void schedule_storage(const Dispatch& d);
  bool isolation_reachable(const SimHost& h) const;
  void refresh_isolation();
  void update_master_count();
  void show_view(SimHost& h);
  ha::EngineConfig engine_config(HostIndex h) const;
  TimePoint local_now(const SimHost& h) const { return h.clock.local(now_); }
  void log(const SimHost& h, std::string_view text);

  SimConfig config_;
  Prng prng_;
  EventQueue<Event> queue_;
  std::vector<std::function<void()>> actions_;
  Network network_;
  Storage storage_;
  Timeline timeline_;
  std::vector<SimHost> hosts_;
  std::vector<wire::Uuid> uuids_;
  std::vector<std::uint8_t> secret_;
  VirtualTime now_ = kSimStart;
  bool stopped_ = false;
  bool multi_master_ = false;  // inside a "(a) one master" violation episode
  std::vector<Violation> violations_;
  std::vector<FenceRecord> fences_;
  std::vector<AlertRecord> alerts_;
  std::vector<Announcement> announcements_;
  std::unique_ptr<SimPool> pool_;  // declared last: its callbacks use everything above
  // Running incarnations announced removed before they acted on any liveset,
  // with the epoch of that removal: they must never act on an older liveset.
  std::map<std::pair<HostIndex, std::uint32_t>, std::uint64_t> removed_before_;
  SimCounters counters_;
};

}  // namespace poolha::sim

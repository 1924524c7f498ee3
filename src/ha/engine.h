// The membership engine: one pure state machine per host. Inputs are received
// packets, statefile op completions, operator commands, the isolation probe
// result and tick(now); outputs (Ready) are packets to send, statefile ops,
// watchdog actions, "fence now", and events. No I/O, no threads, no clock reads:
// the daemon and the simulator drive this same code. docs/protocol.md explains
// the protocol and its safety argument.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/host_set.h"
#include "common/time.h"
#include "ha/timing.h"
#include "wire/statefile.h"
#include "wire/view.h"

namespace poolha::ha {

struct EngineConfig {
  std::uint16_t host_count = 0;  // 1..256
  HostIndex self = 0;
  std::uint64_t generation = 0;        // HA-enable generation (same on every host)
  std::vector<std::uint8_t> secret;    // pool secret keying heartbeat HMACs
  std::vector<std::uint32_t> weights;  // host_count entries, >= 1
  std::vector<wire::Uuid> host_uuids;  // host_count entries, sorted
  Timing timing;
};

struct Command {
  enum class Kind {
    kEnable,            // this host initiates HA enable (writes pool state INIT) and is master
    kDisable,           // master: write pool state INVALID; every host disarms and stops
    kLeave,             // leave the liveset cleanly (excluded), then stop
    kHandOverMaster,    // master: hand the role to `target`
    kDisarmFencing,     // never fence or arm the watchdog again on this host
    kEmergencyDisable,  // disarm and stop participating at once, whatever the state
  };
  Kind kind;
  HostIndex target = kNoHost;
};

struct OutgoingPacket {
  HostIndex to = 0;
  std::vector<std::uint8_t> bytes;
};

// One statefile operation. The engine has at most one outstanding at a time
// and reports its completion through Engine::storage_done with the same id.
struct StorageOp {
  enum class Kind { kReadAll, kWrite };
  Kind kind = Kind::kReadAll;
  std::uint64_t id = 0;
  std::size_t offset = 0;           // kWrite
  std::vector<std::uint8_t> bytes;  // kWrite
};

enum class WatchdogAction { kNone, kKick, kDisarm };

struct Event {
  enum class Kind {
    kPhase,           // phase changed; `text` names the new phase
    kLivesetChanged,  // the announced liveset changed; `membership`
    kMasterChanged,   // `is_master` tells whether this host is now master
    kAlert,           // `name` is the alert (HA_STATEFILE_LOST, ...), `text` the detail
    kFenced,          // this host fences; `text` is the reason
    kNote,            // timeline detail (proposals, commits, joins)
  };
  Kind kind;
  std::string name;
  std::string text;
  wire::Membership membership;
  bool is_master = false;
};

struct Ready {
  std::vector<OutgoingPacket> packets;
  std::vector<StorageOp> storage;
  WatchdogAction watchdog = WatchdogAction::kNone;
  std::optional<std::string> fence;  // fence now, with this reason
  std::vector<Event> events;
};

class Engine {
 public:
  // `incarnation` is the host's boot counter: never 0, larger on every start.
  Engine(EngineConfig config, std::uint32_t incarnation, TimePoint now);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void tick(TimePoint now);
  void receive_packet(TimePoint now, std::span<const std::uint8_t> bytes);
  // Completion of op `id`. For kReadAll with ok, `image` is the decoded statefile.
  void storage_done(TimePoint now, std::uint64_t id, bool ok, const wire::StatefileImage* image);
  void command(TimePoint now, const Command& cmd);
  void set_isolation_reachable(TimePoint now, bool reachable);

  // Outputs accumulated since the last call.
  Ready take_ready();
  // The latest time by which tick() must be called again.
  TimePoint next_wakeup() const;

  // Introspection for drivers, the simulator's invariant checks and the API.
  wire::Phase phase() const;
  bool is_master() const;
  bool armed() const;
  const wire::Membership& announced() const;  // liveset reported outward
  const wire::Membership& current() const;    // liveset this host acts on (leases)
  std::optional<TimePoint> lease_expiry() const;
  const wire::View& view() const;
  HostIndex self() const;
  std::uint32_t incarnation() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace poolha::ha

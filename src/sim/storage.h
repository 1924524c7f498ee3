// The heartbeat SR as seen by each host: one shared statefile image and one
// path per host. An operation takes effect when it completes, not when it is
// issued. Path states model the failures that matter for HA:
//   up      ops complete after latency +- jitter
//   down    ops hang; when the path comes back they fail
//   paused  ops hang; when the path comes back they complete normally
//           (a controller failover)
//   error   ops fail at once
// The simulator owns the clock: Storage says after how long an op completes
// (a Dispatch) and the simulator calls complete() then.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/host_set.h"
#include "common/time.h"
#include "ha/engine.h"
#include "sim/prng.h"
#include "sim/shared_statefile.h"

namespace poolha::sim {

enum class PathState { kUp, kDown, kPaused, kError };

// How much of an interrupted write lands: the first half of its data, not
// counting the zero padding at its end.
std::size_t torn_length(std::span<const std::uint8_t> bytes);
std::string_view to_string(PathState s);

struct StorageLatency {
  Duration latency = 1ms;
  Duration jitter = 300us;  // uniform in [-jitter, +jitter]
};

// "Complete the op holding `ticket` of `host` after `after`."
struct Dispatch {
  HostIndex host = 0;
  std::uint64_t ticket = 0;
  Duration after{};
};

struct StorageCompletion {
  std::uint64_t op_id = 0;
  ha::StorageOp::Kind kind = ha::StorageOp::Kind::kReadAll;
  bool ok = false;
  bool torn = false;  // a write applied only in part (reported ok all the same)
  std::shared_ptr<const wire::StatefileImage> image;  // kReadAll with ok
};

class Storage {
 public:
  Storage(std::uint16_t host_count, StorageLatency defaults = {});

  SharedStatefile& statefile() { return statefile_; }
  PathState path(HostIndex h) const { return hosts_[h].path; }
  StorageLatency& latency(HostIndex h) { return hosts_[h].latency; }
  std::size_t pending(HostIndex h) const { return hosts_[h].ops.size(); }

  // Issues an op. Returns its dispatch unless the path makes it hang.
  std::optional<Dispatch> submit(HostIndex h, ha::StorageOp op, Prng& prng);
  // Completes the op holding `ticket`: applies its effect and reports it.
  // nullopt when that ticket is stale (the op was re-dispatched or dropped).
  std::optional<StorageCompletion> complete(HostIndex h, std::uint64_t ticket);
  // Changes a host's path; returns the dispatches of ops this releases.
  std::vector<Dispatch> set_path(HostIndex h, PathState state, Prng& prng);
  // The next write of `h` applies only its first half (torn_length) yet
  // reports success.
  void tear_next_write(HostIndex h) { hosts_[h].tear_next_write = true; }
  // The host lost power: ops in flight are dropped, and a write that had
  // reached the storage is left half applied (torn_length). Returns true if
  // one was.
  bool crash(HostIndex h);

 private:
  struct PendingOp {
    ha::StorageOp op;
    std::uint64_t ticket = 0;
    bool in_flight = false;  // dispatched, its completion is scheduled
    bool doomed = false;     // hung on a dead path: fails when released
  };
  struct HostPath {
    PathState path = PathState::kUp;
    StorageLatency latency;
    bool tear_next_write = false;
    std::vector<PendingOp> ops;
  };

  Dispatch dispatch(HostIndex h, PendingOp& op, Prng& prng, bool fail_now);
  void apply_write(const ha::StorageOp& op, std::size_t length);

  SharedStatefile statefile_;
  std::vector<HostPath> hosts_;
  std::uint64_t next_ticket_ = 1;
};

}  // namespace poolha::sim

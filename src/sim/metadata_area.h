// The pool database as the simulated masters keep it on the heartbeat SR's
// metadata area: a master persists VM records and the plan status there
// before it acts on them, and a new master loads it.
//
// The area is a byte image holding the real metadata log (pool/): every
// commit goes through a pool::MetadataLogWriter and lands as bytes, and every
// load is pool::recover_metadata_log over those bytes, converted with
// sim/pool_records.h. Only the current master has a writer; a host that
// commits without being the last writer first takes over like a real new
// master (recover, then write its take-over snapshot). The area also tracks
// which writes were acknowledged, so the simulator can check that a new
// master never loads less than was acknowledged, also after a master lost
// power in the middle of a write (commit_torn).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/host_set.h"
#include "failover/records.h"
#include "pool/log_geometry.h"
#include "pool/metadata_log_writer.h"

namespace poolha::sim {

struct MetadataWrite {
  std::vector<failover::VmRecord> records;
  std::optional<failover::PlanStatus> status;
};

// Where the power loss of commit_torn cut the writes of the commit.
struct TornCommit {
  std::size_t planned_writes = 0;    // byte writes the whole commit needed
  std::size_t completed_writes = 0;  // of those, performed completely
  // The write the power loss interrupted (when there was one): how many of
  // its bytes landed, out of how many.
  std::size_t cut_bytes = 0;
  std::size_t cut_write_size = 0;
};

class MetadataArea {
 public:
  // A small heartbeat-SR metadata volume: the whole database of a simulated
  // pool fits in a half many times over.
  static constexpr pool::LogGeometry kDefaultGeometry{std::uint64_t{4} << 20, 512};

  // Host 0 writes `initial` (see to_pool_database) as its take-over snapshot
  // and is the master; that write is acknowledged. A pool without hosts has
  // no master to write anything: its area stays blank and loads as empty.
  explicit MetadataArea(failover::PoolSnapshot initial,
                        pool::LogGeometry geometry = kDefaultGeometry);

  // Host `by` becomes master: it recovers the database from the area and
  // writes its take-over snapshot, which is acknowledged. The previous
  // master's writer is dropped (that host was fenced). Returns the generation.
  std::uint64_t take_over(HostIndex by);

  // `by` persists one change per record (a whole VM record) and one for the
  // status, each completely written and acknowledged before the next. If `by`
  // is not the current writer it takes over first. Returns the last
  // acknowledged generation.
  std::uint64_t commit(const MetadataWrite& write, HostIndex by = 0);

  // `by` lost power in the middle of persisting `write`: of the byte writes
  // the commit needed, a prefix lands (the cut chosen by `seed`, possibly in
  // the middle of one write), and nothing of it is acknowledged. The writer
  // is gone with the power; the next commit, even by `by`, takes over first.
  // A take-over that `by` needs first completes before the power loss.
  TornCommit commit_torn(const MetadataWrite& write, HostIndex by, std::uint64_t seed);

  // What a new master loads, with its generation (0 for a blank area).
  failover::PoolSnapshot load(std::uint64_t* generation) const;
  std::uint64_t acknowledged() const { return acknowledged_; }

  // The host whose writer commits next without a take-over; kNoHost if none.
  HostIndex writer_host() const { return writer_ ? writer_host_ : kNoHost; }
  const pool::LogGeometry& geometry() const { return geometry_; }
  std::span<const std::uint8_t> image() const { return image_; }

 private:
  pool::MetadataLogWriter& writer_for(HostIndex by);
  void perform(const pool::AreaWrite& write, std::size_t length);

  pool::LogGeometry geometry_;
  // Loaded snapshots take what the database does not hold from here.
  failover::FailoverPolicy policy_defaults_;
  std::vector<std::uint8_t> image_;
  std::optional<pool::MetadataLogWriter> writer_;
  HostIndex writer_host_ = kNoHost;
  std::uint64_t acknowledged_ = 0;
};

}  // namespace poolha::sim

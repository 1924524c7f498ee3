// The master's side of the metadata log: turns each change into the writes
// that persist it, and applies it only once the caller reports them done.
// Sans-I/O: the caller performs the writes (in order, each durable before the
// next starts) and then calls acknowledge(); only then may it acknowledge the
// change to whoever asked for it, and only then may it issue the next request.
//
// Every record goes to both halves at the same offset, the half named first
// in `writes` first. A record is normally a delta appended after the last
// one; when it would not fit, and for the first write after taking over, it
// is a snapshot of the whole database at offset 0 instead (compaction), which
// starts a new chain. While a snapshot overwrites one half, the other still
// holds everything acknowledged, so a crash at any point loses nothing
// acknowledged. docs/pool-database.md explains the scheme.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "pool/change.h"
#include "pool/database.h"
#include "pool/error.h"
#include "pool/generation.h"
#include "pool/log_geometry.h"
#include "pool/log_record.h"
#include "pool/master_token.h"
#include "pool/metadata_log_recovery.h"
#include "pool/snapshot.h"

namespace poolha::pool {

// Bytes to write at an offset of the metadata area.
struct AreaWrite {
  std::uint64_t offset;
  std::vector<std::uint8_t> bytes;
};

struct PendingWrite {
  Generation generation;
  RecordKind kind;
  std::vector<AreaWrite> writes;  // in the order they must be performed
};

class MetadataLogWriter {
 public:
  // Continues from `start` (normally recovered.newest, or the master's local
  // copy if that is newer: see newest_snapshot) on an area whose current
  // contents recovery described as `area`. New records are numbered above
  // both start.generation and everything seen in the area.
  MetadataLogWriter(MasterToken master, LogGeometry geometry, Snapshot start,
                    const RecoveredLog& area);

  // The first request: a snapshot that records this host as master and
  // re-establishes two intact copies. Until it is acknowledged, `start` is not
  // safely persisted; a new master must not act on it before. Fails if the
  // master's host is not in the database or the snapshot does not fit.
  Result<PendingWrite> take_over();

  // Validates the change against the acknowledged database and returns the
  // writes that persist it. Errors: the database's (nothing to write),
  // kNotMaster after a handover, kAreaTooSmall if a needed snapshot does not
  // fit in a half. Only after take_over() is acknowledged and with no request
  // outstanding (checked).
  Result<PendingWrite> append(const Change& change);

  // All writes of the outstanding request completed: apply it.
  void acknowledge(Generation generation);
  // The outstanding request failed after its first `writes_completed` writes
  // (its state on disk is unknown): drop it without applying. The next
  // request is written as a snapshot, numbered past the dropped one.
  void abandon(std::size_t writes_completed);

  const Database& database() const { return database_; }  // acknowledged state
  Generation generation() const { return generation_; }   // of the acknowledged state
  bool has_pending() const { return pending_.has_value(); }
  bool taken_over() const { return taken_over_; }
  // False once an acknowledged change named another host as master.
  bool is_master() const;

 private:
  struct Outstanding {
    Generation generation;
    RecordKind kind;
    int first_half;  // written first; the other second
    std::size_t record_size;
    std::optional<Change> delta;       // for a delta
    std::optional<Database> snapshot;  // for a snapshot: the database it holds
    bool is_take_over;
  };

  Result<PendingWrite> write_snapshot(Database next, bool is_take_over);
  PendingWrite issue(Outstanding outstanding, const std::vector<std::uint8_t>& record,
                     std::uint64_t offset_in_half);
  std::uint64_t half_capacity() const { return geometry_.half_size(); }

  MasterToken master_;
  LogGeometry geometry_;
  Database database_;
  Generation generation_;       // of database_
  Generation next_generation_;  // for the next record
  Generation chain_base_ = 0;   // snapshot generation of the chain being appended to
  std::uint64_t tail_ = 0;      // end of the chain within each half
  bool needs_snapshot_ = true;
  int first_half_ = 0;  // written first by the next record
  bool taken_over_ = false;
  std::optional<Outstanding> pending_;
};

}  // namespace poolha::pool

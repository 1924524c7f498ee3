// Loading the pool database from an image of the metadata area: what a new
// master does before it writes anything. Pure: the caller reads the area and
// passes the bytes in.
//
// Each half is walked from offset 0: a snapshot, then deltas whose
// generations follow on without a gap and that belong to that snapshot's
// chain. Where a half's copy of a record is damaged, the other half's copy at
// the same offset is used instead (the halves are written in lockstep), so one
// damaged copy of any record loses nothing. The longest chain found wins.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pool/generation.h"
#include "pool/log_geometry.h"
#include "pool/snapshot.h"

namespace poolha::pool {

struct RecoveryIssue {
  enum class Kind : std::uint8_t {
    // A copy of a record of a chain was damaged; the other half's copy was used.
    kRepairedCopy,
    // A damaged record just past the end of a chain (an interrupted write): skipped.
    kTornRecord,
    // A record with a good checksum whose payload failed to decode or apply;
    // the chain was cut before it.
    kBadPayload,
  };
  Kind kind;
  int half;              // 0 or 1
  std::uint64_t offset;  // within the half
  std::string detail;

  friend bool operator==(const RecoveryIssue&, const RecoveryIssue&) = default;
};

struct RecoveredLog {
  // The newest database the area holds; nullopt if neither half has a valid snapshot.
  std::optional<Snapshot> newest;
  // Damaged and skipped records, by half then offset. Informational: the
  // recovery already worked around them.
  std::vector<RecoveryIssue> issues;
  // The highest generation of any intact record seen, used or not; a writer
  // continuing this area numbers its records above it.
  Generation highest_generation_seen = 0;
  // The half the next snapshot must overwrite first: the one that, alone,
  // holds less of the recovered chain. The other half then still holds it
  // all while the first is being rewritten.
  int first_half_to_overwrite = 0;
};

// `area` is the whole metadata area (geometry.area_size bytes; checked, as is
// the geometry itself). Never fails: a blank or unreadable area yields no newest.
RecoveredLog recover_metadata_log(const LogGeometry& geometry, std::span<const std::uint8_t> area);

}  // namespace poolha::pool

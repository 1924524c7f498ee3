// A whole database together with the generation it was persisted at.
#pragma once

#include <initializer_list>

#include "pool/database.h"
#include "pool/generation.h"

namespace poolha::pool {

struct Snapshot {
  Database database;
  Generation generation = 0;

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// The candidate with the highest generation; on a tie the one listed first.
// Null candidates are skipped; nullptr if there is none. A new master uses it
// to choose between the metadata log and its local copy.
const Snapshot* newest_snapshot(std::initializer_list<const Snapshot*> candidates);

}  // namespace poolha::pool

// The pool database as the simulated masters keep it on the heartbeat SR's
// metadata area: a master persists VM records and the plan status there
// before it acts on them, and a new master loads it. The area also tracks
// which writes were acknowledged, so the simulator can check that a new
// master never loads less than was acknowledged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "failover/records.h"

namespace poolha::sim {

struct MetadataWrite {
  std::vector<failover::VmRecord> records;
  std::optional<failover::PlanStatus> status;
};

class MetadataArea {
 public:
  explicit MetadataArea(failover::PoolSnapshot initial);

  // A write reached the disk completely and was acknowledged.
  std::uint64_t commit(const MetadataWrite& write);
  // What a new master loads, with its generation.
  failover::PoolSnapshot load(std::uint64_t* generation) const;
  std::uint64_t acknowledged() const { return generation_; }

 private:
  failover::PoolSnapshot snapshot_;
  std::uint64_t generation_ = 1;
};

}  // namespace poolha::sim

// What the planner knows about a pool: how much memory each host can still
// hand to restarted VMs, and which protected VMs run where. Hosts and VMs are
// identified by index; callers sort both by UUID first, so every tie the
// planner breaks on the lowest index is broken the same way on every host.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace poolha::planner {

using Bytes = std::uint64_t;

// A protected, agile VM currently running on `host` (an index into
// PoolShape::host_free). `memory` is what it needs to start elsewhere.
struct ProtectedVm {
  Bytes memory = 0;
  std::uint32_t host = 0;
};

struct PoolShape {
  // host_free[h]: memory host h can still give to restarted VMs, after its own
  // resident VMs, its control domain and any pinned (non-agile) VMs.
  std::vector<Bytes> host_free;
  std::vector<ProtectedVm> vms;
};

// Sums of memory stay below this, so no sum the planner forms can overflow.
inline constexpr Bytes kMaxTotalMemory = Bytes{1} << 62;

// Aborts unless the amounts add up to less than kMaxTotalMemory.
void check_total_memory(std::span<const Bytes> amounts);

// Aborts unless every VM names an existing host and needs some memory, and
// the totals stay below kMaxTotalMemory.
void check_pool_shape(const PoolShape& shape);

}  // namespace poolha::planner

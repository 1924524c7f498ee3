// The planner's picture of the pool: live hosts with the memory they can
// still give, and the protected VMs that would need a new home if their
// host failed. A VM being started counts as running on its target host.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/host_set.h"
#include "failover/records.h"
#include "planner/planner.h"

namespace poolha::failover {

struct PoolShapeInput {
  planner::PoolShape shape;
  std::vector<HostIndex> host_of_index;   // shape host i is pool host host_of_index[i]
  std::uint32_t non_agile_protected = 0;  // protected VMs no plan can cover
};

PoolShapeInput shape_of(const std::vector<HostRecord>& hosts,
                        const std::map<std::string, VmRecord>& vms, const HostSet& live);

}  // namespace poolha::failover

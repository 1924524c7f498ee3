#include "failover/planner_input.h"

#include <algorithm>

namespace poolha::failover {

PoolShapeInput shape_of(const std::vector<HostRecord>& hosts,
                        const std::map<std::string, VmRecord>& vms, const HostSet& live) {
  PoolShapeInput out;
  std::vector<std::int64_t> index_of(hosts.size(), -1);
  for (HostIndex h = 0; h < hosts.size(); ++h) {
    if (!live.contains(h)) continue;
    index_of[h] = static_cast<std::int64_t>(out.host_of_index.size());
    out.host_of_index.push_back(h);
    // A disabled host keeps its VMs but takes no restarted ones.
    out.shape.host_free.push_back(hosts[h].enabled ? hosts[h].memory_for_vms : 0);
  }
  for (const auto& [uuid, vm] : vms) {
    // A VM whose start is under way counts where it is going: two starts
    // admitted one after the other must not both count on the same room.
    const HostIndex on = vm.power == VmPower::kRunning ? vm.resident_on : vm.scheduled_on;
    if (on >= hosts.size() || index_of[on] < 0) continue;
    const auto i = static_cast<std::size_t>(index_of[on]);
    std::uint64_t& free = out.shape.host_free[i];
    if (hosts[on].enabled) free -= std::min(free, vm.memory);
    if (!vm.is_protected()) continue;
    if (!vm.agile) {
      ++out.non_agile_protected;
      continue;
    }
    out.shape.vms.push_back(planner::ProtectedVm{vm.memory, static_cast<std::uint32_t>(i)});
  }
  return out;
}

}  // namespace poolha::failover

#include "sim/metadata_area.h"

#include "common/check.h"

namespace poolha::sim {

MetadataArea::MetadataArea(failover::PoolSnapshot initial) : snapshot_(std::move(initial)) {}

std::uint64_t MetadataArea::commit(const MetadataWrite& write) {
  for (const failover::VmRecord& r : write.records) {
    POOLHA_CHECK(snapshot_.vms.contains(r.uuid), "records of VMs the database knows");
    snapshot_.vms[r.uuid] = r;
  }
  if (write.status) snapshot_.status = *write.status;
  return ++generation_;
}

failover::PoolSnapshot MetadataArea::load(std::uint64_t* generation) const {
  if (generation) *generation = generation_;
  return snapshot_;
}

}  // namespace poolha::sim

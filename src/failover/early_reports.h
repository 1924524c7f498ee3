// Host reports that reached the master before it could use them: the host
// adopted a new liveset a moment before the master did, or the master's
// coordinator was still loading the pool database. A master places VMs
// only once every live host has reported on its liveset, so dropping such a
// report would hold every restart until the host's next periodic report
// (AgentConfig::report_interval). Kept instead, newest per host, until the
// master acts on the report's liveset.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "failover/messages.h"

namespace poolha::failover {

class EarlyReports {
 public:
  // Keeps `report` unless a newer one of the same host is kept already.
  void keep(const HostReport& report);
  // The kept reports made on `epoch`, handed over; older ones are dropped,
  // newer ones stay.
  std::vector<HostReport> take(std::uint64_t epoch);
  // Every kept report, handed over.
  std::vector<HostReport> take_all();
  bool empty() const { return newest_.empty(); }

 private:
  std::map<HostIndex, HostReport> newest_;
};

}  // namespace poolha::failover

// Turns "the pool changed somehow" into XenAPI events. The daemon learns of
// changes as whole database snapshots (a slave re-reads the metadata area)
// and as HA facts (a host's liveness), not as individual changes, so the
// watcher keeps every record as clients last saw it and reports the
// difference: an add for a new object, a del for a vanished one, a mod for
// one whose record now reads differently.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/event_log.h"
#include "api/object_class.h"

namespace poolha::api {

class RecordWatcher {
 public:
  // The events that lead from the records last seen to those `now` shows,
  // in class order (pool, host, VM, SR) and uuid order within a class.
  // The first call reports every object as added.
  std::vector<ObjectEvent> changes(const ReadContext& now);

 private:
  // (event class, uuid) -> the record as last reported.
  std::map<std::pair<std::string, std::string>, nlohmann::json> seen_;
};

}  // namespace poolha::api

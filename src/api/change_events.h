// The events a change to the pool database produces, for the daemon to
// append to the EventLog once the change is applied: an add, mod or del of
// the object changed, plus a mod of each host whose resident VMs or free
// memory the change moved.
#pragma once

#include <string_view>
#include <vector>

#include "api/event_log.h"
#include "api/object_class.h"
#include "pool/change.h"
#include "pool/database.h"

namespace poolha::api {

// `before` is the database the change was applied to; `after` reads the
// database it produced.
std::vector<ObjectEvent> events_for_change(const pool::Database& before, const ReadContext& after,
                                           const pool::Change& change);

// An add or mod of one existing object, with its record as `context` shows
// it; for facts outside the database, e.g. a host's liveness changing.
ObjectEvent object_event(const ObjectClass& cls, EventOperation operation,
                         const ReadContext& context, std::string_view uuid);
// The del of an object that no longer exists.
ObjectEvent deletion_event(const ObjectClass& cls, std::string_view uuid);

}  // namespace poolha::api

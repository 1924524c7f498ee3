// Comparison of statuses, so the listener hears only real changes.
#include "daemon/membership/membership_status.h"

namespace poolha::daemon {

bool same_status(const MembershipStatus& a, const MembershipStatus& b) {
  const bool same_timing = a.timing.has_value() == b.timing.has_value() &&
                           (!a.timing || a.timing->base == b.timing->base);
  return a.ha_on == b.ha_on && a.off_reason == b.off_reason && a.generation == b.generation &&
         a.incarnation == b.incarnation && a.phase == b.phase && a.announced.same_as(b.announced) &&
         a.is_master == b.is_master && a.watchdog_armed == b.watchdog_armed &&
         a.left_cleanly == b.left_cleanly && same_timing;
}

}  // namespace poolha::daemon

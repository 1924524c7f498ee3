#include "sim/scenario.h"

#include <algorithm>

namespace poolha::sim {

bool Scenario::uses_vms() const {
  if (!vms.empty() || pool.declared) return true;
  const auto is_vm_expectation = [](const Expectation& e) {
    return e.kind == ExpectKind::kVmRunning || e.kind == ExpectKind::kVmHalted ||
           e.kind == ExpectKind::kApiRefused || e.kind == ExpectKind::kPlanExistsFor;
  };
  for (const TimedAction& a : actions) {
    switch (a.action.kind) {
      case ActionKind::kVmStart:
      case ActionKind::kVmShutdown:
      case ActionKind::kVmHalt:
      case ActionKind::kVmCrash:
      case ActionKind::kVmFailStarts:
      case ActionKind::kVmSetPriority:
      case ActionKind::kPoolSetTarget:
        return true;
      case ActionKind::kExpect:
        if (is_vm_expectation(a.action.expect)) return true;
        break;
      default:
        break;
    }
  }
  return std::any_of(whole_run.begin(), whole_run.end(),
                     [&](const WholeRunExpectation& w) { return is_vm_expectation(w.expect); });
}

VirtualTime Scenario::end_time() const {
  if (duration) return kSimStart + *duration;
  VirtualTime last = kSimStart;
  for (const TimedAction& a : actions) last = std::max(last, a.at);
  return last + 2 * timeout;
}

}  // namespace poolha::sim

#include "vm/qemu/qmp_halt_evidence.h"

namespace poolha::vm {
namespace {
constexpr const char* kGuestShutdownReason = "guest-shutdown";
}  // namespace

void QmpHaltEvidence::observe(const std::string& event, const nlohmann::json& data) {
  if (event == "SHUTDOWN") {
    // The first one says why; a later one (our quit after a panic) does not.
    if (!shutdown_reason_) shutdown_reason_ = data.value("reason", std::string("unknown"));
  } else if (event == "GUEST_PANICKED") {
    panicked_ = true;
  } else if (event == "WATCHDOG") {
    watchdog_action_ = data.value("action", std::string("unknown"));
  }
}

HaltCause QmpHaltEvidence::cause() const {
  if (!guest_failed() && shutdown_reason_ == kGuestShutdownReason) {
    return HaltCause::kGuestShutdown;
  }
  return HaltCause::kGuestCrash;
}

std::string QmpHaltEvidence::describe() const {
  if (panicked_) return "guest panic";
  if (watchdog_action_) return "watchdog fired (" + *watchdog_action_ + ")";
  if (shutdown_reason_ == kGuestShutdownReason) return "guest shutdown";
  if (shutdown_reason_) return "QEMU shut down: " + *shutdown_reason_;
  return "QEMU exited without a shutdown event";
}

}  // namespace poolha::vm

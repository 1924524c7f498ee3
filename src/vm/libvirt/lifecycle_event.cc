#include "vm/libvirt/lifecycle_event.h"

#include <libvirt/libvirt.h>

namespace poolha::vm::libvirt {

std::optional<HaltCause> halt_cause_of(int event, int detail, bool stop_requested) {
  // Only the end of a domain is a halt: a paused, suspended or crashed but
  // preserved domain still exists, and running() still lists it.
  if (event != VIR_DOMAIN_EVENT_STOPPED || stop_requested) return std::nullopt;
  switch (detail) {
    case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
      return HaltCause::kGuestShutdown;
    case VIR_DOMAIN_EVENT_STOPPED_MIGRATED:
    case VIR_DOMAIN_EVENT_STOPPED_SAVED:
    case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT:
      // Someone moved, saved or reverted the VM on purpose: it did not fail.
      return std::nullopt;
    default:
      // Crashed, failed (the emulator died), destroyed by someone other than
      // this driver, or a reason newer than this code: the VM went down
      // without the HA layer asking, so a protected VM must come back.
      return HaltCause::kGuestCrash;
  }
}

namespace {

const char* event_name(int event) {
  switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED:
      return "defined";
    case VIR_DOMAIN_EVENT_UNDEFINED:
      return "undefined";
    case VIR_DOMAIN_EVENT_STARTED:
      return "started";
    case VIR_DOMAIN_EVENT_SUSPENDED:
      return "suspended";
    case VIR_DOMAIN_EVENT_RESUMED:
      return "resumed";
    case VIR_DOMAIN_EVENT_STOPPED:
      return "stopped";
    case VIR_DOMAIN_EVENT_SHUTDOWN:
      return "shutting down";
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      return "suspended by the guest";
    case VIR_DOMAIN_EVENT_CRASHED:
      return "crashed";
    default:
      return nullptr;
  }
}

const char* stopped_detail_name(int detail) {
  switch (detail) {
    case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
      return "shutdown";
    case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
      return "destroyed";
    case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
      return "crashed";
    case VIR_DOMAIN_EVENT_STOPPED_MIGRATED:
      return "migrated";
    case VIR_DOMAIN_EVENT_STOPPED_SAVED:
      return "saved";
    case VIR_DOMAIN_EVENT_STOPPED_FAILED:
      return "emulator failed";
    case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT:
      return "reverted to a snapshot";
    default:
      return nullptr;
  }
}

}  // namespace

std::string describe_lifecycle_event(int event, int detail) {
  const char* name = event_name(event);
  std::string text = name != nullptr ? name : "event " + std::to_string(event);
  const char* detail_name =
      event == VIR_DOMAIN_EVENT_STOPPED ? stopped_detail_name(detail) : nullptr;
  text += " (";
  text += detail_name != nullptr ? detail_name : "detail " + std::to_string(detail);
  text += ")";
  return text;
}

}  // namespace poolha::vm::libvirt

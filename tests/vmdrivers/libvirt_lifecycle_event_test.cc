// The mapping from libvirt lifecycle events to halts. libvirt's test driver
// has no guest that could shut itself down or crash, so the mapping is a pure
// function and tested here on its own.
#include "vm/libvirt/lifecycle_event.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

namespace poolha::vm::libvirt {
namespace {

TEST(LibvirtLifecycleEvent, GuestShutdownIsAHalt) {
  EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, false),
            HaltCause::kGuestShutdown);
}

TEST(LibvirtLifecycleEvent, CrashesAndFailuresAreCrashes) {
  for (const int detail : {VIR_DOMAIN_EVENT_STOPPED_CRASHED, VIR_DOMAIN_EVENT_STOPPED_FAILED,
                           VIR_DOMAIN_EVENT_STOPPED_DESTROYED}) {
    EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_STOPPED, detail, false), HaltCause::kGuestCrash)
        << describe_lifecycle_event(VIR_DOMAIN_EVENT_STOPPED, detail);
  }
}

TEST(LibvirtLifecycleEvent, AnUnknownStopReasonIsACrash) {
  EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_STOPPED, 999, false), HaltCause::kGuestCrash);
}

TEST(LibvirtLifecycleEvent, AStopThisDriverAskedForIsNoHalt) {
  for (const int detail : {VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_DESTROYED,
                           VIR_DOMAIN_EVENT_STOPPED_CRASHED, VIR_DOMAIN_EVENT_STOPPED_FAILED}) {
    EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_STOPPED, detail, true), std::nullopt)
        << describe_lifecycle_event(VIR_DOMAIN_EVENT_STOPPED, detail);
  }
}

TEST(LibvirtLifecycleEvent, DeliberateMovesAreNoHalt) {
  for (const int detail : {VIR_DOMAIN_EVENT_STOPPED_MIGRATED, VIR_DOMAIN_EVENT_STOPPED_SAVED,
                           VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT}) {
    EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_STOPPED, detail, false), std::nullopt)
        << describe_lifecycle_event(VIR_DOMAIN_EVENT_STOPPED, detail);
  }
}

TEST(LibvirtLifecycleEvent, EventsOfADomainThatStillExistsAreNoHalt) {
  // A guest that shuts down or panics with its domain preserved still exists
  // until the STOPPED event that follows.
  EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, false),
            std::nullopt);
  EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, false),
            std::nullopt);
  EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_GUEST, false),
            std::nullopt);
  EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED, false),
            std::nullopt);
  EXPECT_EQ(halt_cause_of(VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, false),
            std::nullopt);
}

TEST(LibvirtLifecycleEvent, DescriptionsNameEventAndReason) {
  EXPECT_EQ(describe_lifecycle_event(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED),
            "stopped (crashed)");
  EXPECT_EQ(describe_lifecycle_event(VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED),
            "started (detail 0)");
  EXPECT_EQ(describe_lifecycle_event(77, 3), "event 77 (detail 3)");
}

}  // namespace
}  // namespace poolha::vm::libvirt

// The driver's records of its domains: which run, which boot, and which
// stops it asked for, as lifecycle events and fresh listings arrive.
#include "vm/libvirt/domain_tracker.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

namespace poolha::vm::libvirt {
namespace {

using Names = std::vector<std::string>;

TEST(LibvirtDomainTracker, ABootingDomainCountsAsRunning) {
  DomainTracker tracker;
  tracker.start_requested("a");
  EXPECT_EQ(tracker.running(), Names{"a"});
  tracker.start_finished("a", false);
  EXPECT_EQ(tracker.running(), Names{});
  tracker.start_requested("a");
  tracker.start_requested("a");  // a second start while the first runs
  tracker.start_finished("a", false);
  EXPECT_EQ(tracker.running(), Names{"a"});
  tracker.start_finished("a", true);
  EXPECT_EQ(tracker.running(), Names{"a"});
}

TEST(LibvirtDomainTracker, IgnoresDomainsItDidNotAdopt) {
  DomainTracker tracker;
  EXPECT_EQ(tracker.lifecycle_event("x", VIR_DOMAIN_EVENT_STARTED, 0), std::nullopt);
  EXPECT_EQ(
      tracker.lifecycle_event("x", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED),
      std::nullopt);
  EXPECT_EQ(tracker.running(), Names{});
}

TEST(LibvirtDomainTracker, ItsOwnStopIsNoHaltButTheNextStopIs) {
  DomainTracker tracker;
  tracker.adopt("a");
  tracker.start_requested("a");
  tracker.start_finished("a", true);
  tracker.stop_requested("a");
  // The worker saw the domain gone before libvirt delivered the event.
  tracker.stop_finished("a", false);
  EXPECT_EQ(tracker.running(), Names{});
  EXPECT_EQ(
      tracker.lifecycle_event("a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN),
      std::nullopt);
  EXPECT_EQ(tracker.lifecycle_event("a", VIR_DOMAIN_EVENT_STARTED, 0), std::nullopt);
  EXPECT_EQ(tracker.running(), Names{"a"});
  EXPECT_EQ(
      tracker.lifecycle_event("a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN),
      HaltCause::kGuestShutdown);
  EXPECT_EQ(tracker.running(), Names{});
}

TEST(LibvirtDomainTracker, AFailedStopOfARunningDomainLeavesItsNextStopAHalt) {
  DomainTracker tracker;
  tracker.adopt("a");
  tracker.start_finished("a", true);
  tracker.stop_requested("a");
  tracker.stop_finished("a", true);
  EXPECT_EQ(tracker.running(), Names{"a"});
  EXPECT_EQ(
      tracker.lifecycle_event("a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED),
      HaltCause::kGuestCrash);
}

TEST(LibvirtDomainTracker, AListingOvertakenByAnEventIsDropped) {
  DomainTracker tracker;
  tracker.adopt("a");
  const std::uint64_t listed_at = tracker.version();
  tracker.lifecycle_event("a", VIR_DOMAIN_EVENT_STARTED, 0);
  EXPECT_FALSE(tracker.replace_active({}, listed_at));
  EXPECT_EQ(tracker.running(), Names{"a"});
  EXPECT_TRUE(tracker.replace_active({"b"}, tracker.version()));
  EXPECT_EQ(tracker.running(), Names{"b"});
  EXPECT_TRUE(tracker.adopted("b"));  // found by the listing: its events count now
}

TEST(LibvirtDomainTracker, AResyncReportsDomainsThatStoppedUnseen) {
  DomainTracker tracker;
  for (const char* uuid : {"gone", "stopping", "stays"}) {
    tracker.adopt(uuid);
    tracker.start_finished(uuid, true);
  }
  tracker.stop_requested("stopping");
  EXPECT_FALSE(tracker.listed());
  EXPECT_EQ(tracker.resync({"stays", "new"}), Names{"gone"});
  EXPECT_TRUE(tracker.listed());
  EXPECT_EQ(tracker.running(), (Names{"new", "stays"}));
  // The stop request of "stopping" was used up by the resync: a later run
  // that stops is a halt again.
  tracker.lifecycle_event("stopping", VIR_DOMAIN_EVENT_STARTED, 0);
  EXPECT_EQ(tracker.lifecycle_event("stopping", VIR_DOMAIN_EVENT_STOPPED,
                                    VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN),
            HaltCause::kGuestShutdown);
}

}  // namespace
}  // namespace poolha::vm::libvirt

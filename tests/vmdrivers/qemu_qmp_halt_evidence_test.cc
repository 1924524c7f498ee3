// How QMP events before QEMU's exit map to the cause of a halt.
#include "vm/qemu/qmp_halt_evidence.h"

#include <gtest/gtest.h>

namespace poolha::vm {
namespace {

using nlohmann::json;

TEST(QmpHaltEvidenceTest, OnlyAGuestPoweringOffIsAGuestShutdown) {
  QmpHaltEvidence evidence;
  evidence.observe("SHUTDOWN", json{{"guest", true}, {"reason", "guest-shutdown"}});
  EXPECT_EQ(evidence.cause(), HaltCause::kGuestShutdown);
  EXPECT_EQ(evidence.describe(), "guest shutdown");
}

TEST(QmpHaltEvidenceTest, AnExitWithoutAGuestShutdownIsACrash) {
  EXPECT_EQ(QmpHaltEvidence().cause(), HaltCause::kGuestCrash);

  QmpHaltEvidence signalled;
  signalled.observe("SHUTDOWN", json{{"guest", false}, {"reason", "host-signal"}});
  EXPECT_EQ(signalled.cause(), HaltCause::kGuestCrash);
  EXPECT_EQ(signalled.describe(), "QEMU shut down: host-signal");

  QmpHaltEvidence panic_shutdown;
  panic_shutdown.observe("SHUTDOWN", json{{"guest", true}, {"reason", "guest-panic"}});
  EXPECT_EQ(panic_shutdown.cause(), HaltCause::kGuestCrash);
}

TEST(QmpHaltEvidenceTest, APanicOrAWatchdogIsACrashWhateverFollows) {
  QmpHaltEvidence panicked;
  panicked.observe("GUEST_PANICKED", json{{"action", "pause"}});
  EXPECT_TRUE(panicked.guest_failed());
  panicked.observe("SHUTDOWN", json{{"guest", true}, {"reason", "guest-shutdown"}});
  EXPECT_EQ(panicked.cause(), HaltCause::kGuestCrash);
  EXPECT_EQ(panicked.describe(), "guest panic");

  QmpHaltEvidence watchdog;
  watchdog.observe("WATCHDOG", json{{"action", "reset"}});
  EXPECT_TRUE(watchdog.guest_failed());
  watchdog.observe("SHUTDOWN", json{{"guest", false}, {"reason", "host-qmp-quit"}});
  EXPECT_EQ(watchdog.cause(), HaltCause::kGuestCrash);
  EXPECT_EQ(watchdog.describe(), "watchdog fired (reset)");
}

TEST(QmpHaltEvidenceTest, OtherEventsChangeNothing) {
  QmpHaltEvidence evidence;
  evidence.observe("RESET", json{{"guest", true}, {"reason", "guest-reset"}});
  evidence.observe("STOP", json::object());
  EXPECT_FALSE(evidence.guest_failed());
  evidence.observe("SHUTDOWN", json{{"guest", true}, {"reason", "guest-shutdown"}});
  EXPECT_EQ(evidence.cause(), HaltCause::kGuestShutdown);
}

}  // namespace
}  // namespace poolha::vm

#include "vm/sim_vm_driver.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "common/units.h"

namespace poolha::vm {
namespace {

// Runs deferred work in time order when the test advances time.
class ManualScheduler final : public Scheduler {
 public:
  std::int64_t now_us() const override { return now_; }
  void after(Duration delay, std::function<void()> work) override {
    queue_.emplace(now_ + delay.count(), std::move(work));
  }
  void advance(Duration by) {
    const std::int64_t until = now_ + by.count();
    while (!queue_.empty() && queue_.begin()->first <= until) {
      auto node = queue_.extract(queue_.begin());
      now_ = node.key();
      node.mapped()();
    }
    now_ = until;
  }

 private:
  std::int64_t now_ = 0;
  std::multimap<std::int64_t, std::function<void()>> queue_;
};

struct VmSimDriver : ::testing::Test {
  ManualScheduler scheduler;
  RunLedger ledger;
  SimVmDriver h0{0, 8 * kGiB, scheduler, ledger, SimVmTiming{10s, 1s}};
  SimVmDriver h1{1, 8 * kGiB, scheduler, ledger, SimVmTiming{10s, 1s}};
};

TEST_F(VmSimDriver, VmStartCompletesAfterBootAndCountsAsRunningWhileBooting) {
  std::optional<VmResult> result;
  h0.start(VmConfig{"vm-a", "a", 2 * kGiB}, [&](VmResult r) { result = r; });
  EXPECT_FALSE(result);
  EXPECT_EQ(ledger.hosts_running("vm-a"), std::vector<std::uint16_t>{0});
  scheduler.advance(9s);
  EXPECT_FALSE(result);
  scheduler.advance(1s);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok);
  EXPECT_EQ(h0.running(), std::vector<std::string>{"vm-a"});
  EXPECT_EQ(h0.memory_in_use(), 2 * kGiB);
}

TEST_F(VmSimDriver, VmStartRefusedWithoutMemoryAndOnInjectedFailure) {
  std::optional<VmResult> big, failing;
  h0.start(VmConfig{"vm-big", "big", 9 * kGiB}, [&](VmResult r) { big = r; });
  h0.fail_next_starts(1);
  h0.start(VmConfig{"vm-a", "a", kGiB}, [&](VmResult r) { failing = r; });
  scheduler.advance(0us);
  ASSERT_TRUE(big && failing);
  EXPECT_EQ(big->error, "HOST_NOT_ENOUGH_FREE_MEMORY");
  EXPECT_FALSE(failing->ok);
  EXPECT_TRUE(h0.running().empty());
  EXPECT_EQ(ledger.starts(), 0u);
}

TEST_F(VmSimDriver, VmGuestHaltNotifiesAndClosesTheInterval) {
  std::vector<std::string> halted;
  h0.set_halt_listener([&](const std::string& uuid, HaltCause) { halted.push_back(uuid); });
  h0.start(VmConfig{"vm-a", "a", kGiB}, [](VmResult) {});
  scheduler.advance(20s);
  EXPECT_TRUE(h0.guest_halt("vm-a", HaltCause::kGuestShutdown));
  EXPECT_FALSE(h0.guest_halt("vm-a", HaltCause::kGuestShutdown));
  EXPECT_EQ(halted, std::vector<std::string>{"vm-a"});
  ASSERT_EQ(ledger.history().size(), 1u);
  EXPECT_EQ(ledger.history()[0].stopped_us, 20'000'000);
}

TEST_F(VmSimDriver, VmHostStopDropsPendingCompletions) {
  bool completed = false;
  h0.start(VmConfig{"vm-a", "a", kGiB}, [&](VmResult) { completed = true; });
  scheduler.advance(5s);
  h0.host_stopped();
  scheduler.advance(20s);
  EXPECT_FALSE(completed);
  EXPECT_TRUE(h0.running().empty());
  EXPECT_TRUE(ledger.hosts_running("vm-a").empty());
}

TEST_F(VmSimDriver, VmLedgerReportsASecondInstance) {
  h0.start(VmConfig{"vm-a", "a", kGiB}, [](VmResult) {});
  EXPECT_TRUE(ledger.clashes().empty());
  h1.start(VmConfig{"vm-a", "a", kGiB}, [](VmResult) {});
  ASSERT_EQ(ledger.clashes().size(), 1u);
  EXPECT_NE(ledger.clashes()[0].find("while it runs on h0"), std::string::npos);
}

TEST_F(VmSimDriver, VmStopTakesTheStopTimeThenFrees) {
  h0.start(VmConfig{"vm-a", "a", kGiB}, [](VmResult) {});
  scheduler.advance(10s);
  std::optional<VmResult> stopped;
  h0.stop("vm-a", [&](VmResult r) { stopped = r; });
  scheduler.advance(500ms);
  EXPECT_FALSE(stopped);
  EXPECT_EQ(ledger.hosts_running("vm-a").size(), 1u);
  scheduler.advance(500ms);
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->ok);
  EXPECT_TRUE(ledger.hosts_running("vm-a").empty());
}

}  // namespace
}  // namespace poolha::vm

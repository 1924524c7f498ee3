// MembershipDriver on real sockets (loopback) and a real file as the
// heartbeat SR, with T = 2 s: HA enable forms one liveset, a dead host is
// removed without anybody fencing, a host without a fencer stays out, and
// disable stops every host.
#include "daemon/membership/membership_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <variant>

#include "ha/timing.h"
#include "io/io_error.h"
#include "test_pool.h"

namespace poolha::daemon {
namespace {

using ::testing::HasSubstr;
using testing::TestPool;

constexpr auto kDeadline = std::chrono::seconds(20);

Duration watchdog_timeout_for_2s() {
  ha::EnvironmentBounds environment;
  environment.fence_latency = testing::kTestFenceLatency;
  return std::get<ha::Timing>(ha::make_timing(std::chrono::seconds(2), {}, environment)).watchdog;
}

std::size_t master_count(TestPool& pool) {
  std::size_t masters = 0;
  for (auto& host : pool.hosts) {
    if (host->driver && host->driver->status().is_master) ++masters;
  }
  return masters;
}

// A host's path to the heartbeat SR that can be cut: while cut, every
// request fails as on a dead link.
class CuttablePath final : public io::BlockDevice {
 public:
  explicit CuttablePath(std::shared_ptr<io::BlockDevice> inner) : inner_(std::move(inner)) {}

  const std::string& name() const override { return inner_->name(); }
  std::uint64_t size() const override { return inner_->size(); }
  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) override {
    fail_if_cut();
    return inner_->read(offset, length);
  }
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    fail_if_cut();
    inner_->write(offset, bytes);
  }
  void flush() override {
    fail_if_cut();
    inner_->flush();
  }

  std::atomic<bool> cut{true};

 private:
  void fail_if_cut() const {
    if (cut) throw io::IoError("storage path cut");
  }

  std::shared_ptr<io::BlockDevice> inner_;
};

TEST(MembershipDriver, HaEnableMakesEveryHostAMemberOfOneLivesetWithOneMaster) {
  TestPool pool(3);
  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  ASSERT_TRUE(pool.run_until([&] { return pool.all_members_of(3); }, kDeadline));

  const wire::Membership liveset = pool.driver(0).status().announced;
  EXPECT_GE(liveset.epoch, 1u);
  EXPECT_EQ(liveset.members, HostSet::first_n(3));
  EXPECT_EQ(master_count(pool), 1u);
  ASSERT_NE(liveset.master, kNoHost);
  EXPECT_TRUE(pool.driver(liveset.master).status().is_master);

  for (HostIndex h = 0; h < 3; ++h) {
    SCOPED_TRACE(h);
    const MembershipStatus& status = pool.driver(h).status();
    EXPECT_EQ(status.generation, 1u);
    EXPECT_EQ(status.incarnation, pool.host(h).boot_counter->value());
    ASSERT_TRUE(status.timing.has_value());
    EXPECT_EQ(status.timing->base, std::chrono::seconds(2));
    EXPECT_TRUE(status.watchdog_armed);
    // The listener heard the same as status() says.
    EXPECT_TRUE(pool.host(h).listener.last().announced.same_as(status.announced));
    EXPECT_EQ(pool.host(h).listener.last().phase, wire::Phase::kMember);

    const testing::FakeWatchdog& watchdog = pool.host(h).watchdog;
    EXPECT_EQ(watchdog.arms, 1);
    EXPECT_TRUE(watchdog.armed);
    EXPECT_EQ(watchdog.armed_timeout, watchdog_timeout_for_2s());
    EXPECT_GT(watchdog.kicks, 0);
    EXPECT_EQ(watchdog.kicks_while_disarmed, 0);
    EXPECT_TRUE(watchdog.fences.empty());

    for (const HostReachability& r : pool.driver(h).hosts()) {
      EXPECT_TRUE(r.live) << "host " << r.host;
      if (r.host != h) {
        EXPECT_TRUE(r.heartbeat) << "host " << r.host;
        EXPECT_TRUE(r.statefile) << "host " << r.host;
      }
    }
  }

  // A second enable while HA is on is refused.
  std::optional<std::optional<std::string>> again;
  pool.driver(1).enable(std::chrono::seconds(2),
                        [&](const std::optional<std::string>& error) { again = error; });
  ASSERT_TRUE(pool.run_until([&] { return again.has_value(); }, kDeadline));
  ASSERT_TRUE(again->has_value());
  EXPECT_THAT(**again, HasSubstr("already on"));
}

TEST(MembershipDriver, SurvivorsCommitALivesetWithoutADeadHostAndNobodyFences) {
  TestPool pool(3);
  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  const wire::Membership before = pool.driver(0).status().announced;
  // The master dies: the survivors must both remove it and pick a new master.
  const HostIndex dead = before.master;
  ASSERT_NE(dead, kNoHost);
  pool.kill(dead);

  HostSet survivors = HostSet::first_n(3);
  survivors.erase(dead);
  ASSERT_TRUE(pool.run_until(
      [&] {
        if (!pool.all_members_of(2)) return false;
        return master_count(pool) == 1;
      },
      kDeadline))
      << "the survivors did not commit a liveset without the dead host";

  survivors.for_each([&](HostIndex h) {
    SCOPED_TRACE(h);
    const MembershipStatus& status = pool.driver(h).status();
    EXPECT_EQ(status.announced.members, survivors);
    EXPECT_GT(status.announced.epoch, before.epoch);
    EXPECT_TRUE(survivors.contains(status.announced.master));
    EXPECT_TRUE(pool.host(h).watchdog.fences.empty());
    EXPECT_TRUE(pool.host(h).watchdog.armed);
    for (const HostReachability& r : pool.driver(h).hosts()) {
      EXPECT_EQ(r.live, r.host != dead) << "host " << r.host;
    }
  });
}

TEST(MembershipDriver, EnableIsRefusedWhenTheFencerDoesNotAnswer) {
  TestPool pool(3);
  pool.host(0).watchdog.check_error = "fencer socket /run/poolha/fencer.sock: connection refused";
  std::optional<std::optional<std::string>> result;
  pool.driver(0).enable(std::chrono::seconds(2),
                        [&](const std::optional<std::string>& error) { result = error; });
  ASSERT_TRUE(pool.run_until([&] { return result.has_value(); }, kDeadline));
  ASSERT_TRUE(result->has_value()) << "enable succeeded without a fencer";
  EXPECT_THAT(**result, HasSubstr("fencer does not answer"));
  EXPECT_THAT(**result, HasSubstr("connection refused"));
  EXPECT_FALSE(pool.driver(0).status().ha_on);
  EXPECT_EQ(pool.host(0).watchdog.arms, 0);

  // Nothing was written: the other hosts still see HA off after a few polls.
  pool.run_for(std::chrono::milliseconds(600));
  for (HostIndex h = 0; h < 3; ++h) {
    EXPECT_FALSE(pool.driver(h).status().ha_on) << h;
    EXPECT_THAT(pool.driver(h).status().off_reason, HasSubstr("not enabled")) << h;
  }
}

TEST(MembershipDriver, AHostWithoutAFencerStaysOutOfAnEnabledPool) {
  TestPool pool(3);
  pool.host(2).watchdog.check_error = "no watchdog device";
  std::optional<std::optional<std::string>> result;
  pool.driver(0).enable(std::chrono::seconds(2),
                        [&](const std::optional<std::string>& error) { result = error; });
  ASSERT_TRUE(pool.run_until(
      [&] {
        const MembershipStatus& s = pool.host(2).listener.last();
        return s.off_reason.find("no watchdog device") != std::string::npos &&
               pool.driver(0).status().ha_on;
      },
      kDeadline));
  const MembershipStatus& status = pool.driver(2).status();
  EXPECT_FALSE(status.ha_on);
  EXPECT_THAT(status.off_reason, HasSubstr("fencer does not answer"));
  EXPECT_EQ(pool.driver(2).engine(), nullptr);
  EXPECT_EQ(pool.host(2).watchdog.arms, 0);
  EXPECT_FALSE(result.has_value()) << "HA enable cannot complete without every host";
}

TEST(MembershipDriver, DisableMakesEveryHostDropItsEngineAndDisarm) {
  TestPool pool(3);
  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  const HostIndex master = pool.driver(0).status().announced.master;
  ASSERT_NE(master, kNoHost);
  ASSERT_EQ(pool.driver(master).disable(), std::nullopt);

  ASSERT_TRUE(pool.run_until(
      [&] {
        for (auto& host : pool.hosts) {
          if (host->driver->status().ha_on || host->watchdog.armed) return false;
        }
        return true;
      },
      kDeadline))
      << "not every host dropped its engine";

  // Stays off: generation 1 is disabled, polling must not rebuild an engine.
  pool.run_for(std::chrono::milliseconds(600));
  for (HostIndex h = 0; h < 3; ++h) {
    SCOPED_TRACE(h);
    const MembershipStatus& status = pool.driver(h).status();
    EXPECT_FALSE(status.ha_on);
    EXPECT_THAT(status.off_reason, HasSubstr("disabled"));
    EXPECT_EQ(pool.driver(h).engine(), nullptr);
    EXPECT_EQ(pool.host(h).watchdog.disarms, 1);
    EXPECT_FALSE(pool.host(h).watchdog.armed);
    EXPECT_TRUE(pool.host(h).watchdog.fences.empty());
    EXPECT_FALSE(pool.host(h).listener.last().ha_on);
    // Commands need an engine.
    auto refused = pool.driver(h).leave();
    ASSERT_TRUE(refused.has_value());
    EXPECT_THAT(*refused, HasSubstr("HA is off"));
  }
}

TEST(MembershipDriver, HaCanBeEnabledAgainAfterADisableWithANewGeneration) {
  TestPool pool(2);
  ASSERT_EQ(pool.enable_and_wait(1), std::nullopt);
  const std::uint32_t first_incarnation = pool.driver(0).status().incarnation;
  ASSERT_EQ(pool.driver(pool.driver(1).status().announced.master).disable(), std::nullopt);
  ASSERT_TRUE(pool.run_until(
      [&] { return !pool.driver(0).status().ha_on && !pool.driver(1).status().ha_on; }, kDeadline));

  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  for (HostIndex h = 0; h < 2; ++h) {
    EXPECT_EQ(pool.driver(h).status().generation, 2u) << h;
    EXPECT_EQ(pool.host(h).watchdog.arms, 2) << h;
  }
  // A new engine is a new life of the host: a larger incarnation.
  EXPECT_GT(pool.driver(0).status().incarnation, first_incarnation);
}

TEST(MembershipDriver, AHostThatLeavesIsRemovedAndDisarmsWithoutFencing) {
  TestPool pool(3);
  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  const std::uint64_t epoch = pool.driver(0).status().announced.epoch;
  ASSERT_EQ(pool.driver(2).leave(), std::nullopt);

  ASSERT_TRUE(pool.run_until(
      [&] {
        const MembershipStatus& a = pool.driver(0).status();
        const MembershipStatus& b = pool.driver(1).status();
        return !pool.driver(2).status().ha_on && a.phase == wire::Phase::kMember &&
               a.announced.members == HostSet{0, 1} && b.announced.same_as(a.announced);
      },
      kDeadline));
  EXPECT_GT(pool.driver(0).status().announced.epoch, epoch);
  EXPECT_THAT(pool.driver(2).status().off_reason, HasSubstr("left"));
  // HA is off in the same step; the status still says the host left (a
  // daemon shutting down waits for exactly that).
  EXPECT_TRUE(pool.driver(2).status().left_cleanly);
  EXPECT_FALSE(pool.driver(0).status().left_cleanly);
  EXPECT_EQ(pool.host(2).watchdog.disarms, 1);
  EXPECT_FALSE(pool.host(2).watchdog.armed);
  EXPECT_TRUE(pool.host(2).watchdog.fences.empty());

  // The pool is still ACTIVE in generation 1, but a host that left does not
  // rejoin it on its own.
  pool.run_for(std::chrono::milliseconds(600));
  EXPECT_FALSE(pool.driver(2).status().ha_on);
  EXPECT_THAT(pool.driver(2).status().off_reason, HasSubstr("already stopped on this host"));
}

// DESIGN §8 row 17: host-3 boots again while its storage path is cut. It
// waits with nothing armed (emergency mode); returns once it reads the
// statefile again.
std::shared_ptr<CuttablePath> reboot_host_3_without_its_storage_path(TestPool& pool) {
  pool.kill(2);
  EXPECT_TRUE(pool.run_until([&] { return pool.all_members_of(2); }, kDeadline));
  auto path = std::make_shared<CuttablePath>(pool.open_sr());
  pool.boot(2, path);
  EXPECT_TRUE(pool.run_until(
      [&] {
        return pool.driver(2).status().off_reason.find("cannot read the statefile") !=
               std::string::npos;
      },
      kDeadline))
      << pool.driver(2).status().off_reason;
  EXPECT_FALSE(pool.driver(2).status().ha_on);
  return path;
}

std::size_t alerts_named(const TestPool::Host& host, const std::string& name) {
  std::size_t count = 0;
  for (const ha::Event& event : host.listener.events) {
    if (event.kind == ha::Event::Kind::kAlert && event.name == name) ++count;
  }
  return count;
}

TEST(MembershipDriver, AHostBootingWithoutTheStatefileJoinsOnceItCanReadIt) {
  TestPool pool(3);
  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  const int arms_before = pool.host(2).watchdog.arms;
  const std::shared_ptr<CuttablePath> path = reboot_host_3_without_its_storage_path(pool);
  pool.run_for(std::chrono::milliseconds(600));
  EXPECT_EQ(pool.host(2).watchdog.arms, arms_before) << "nothing is armed while it waits";
  // Raised once for the outage, not at every poll.
  EXPECT_EQ(alerts_named(pool.host(2), "HA_HOST_CANNOT_ACCESS_STATEFILE"), 1u);

  path->cut = false;
  EXPECT_TRUE(pool.run_until([&] { return pool.all_members_of(3); }, kDeadline));
}

TEST(MembershipDriver, EmergencyDisableOfAHostThatCannotReadTheStatefileKeepsItOut) {
  TestPool pool(3);
  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  const int arms_before = pool.host(2).watchdog.arms;
  const std::shared_ptr<CuttablePath> path = reboot_host_3_without_its_storage_path(pool);

  EXPECT_EQ(pool.driver(2).emergency_disable(), std::nullopt);
  EXPECT_THAT(pool.driver(2).status().off_reason, HasSubstr("HA emergency-disabled"));
  EXPECT_THAT(pool.driver(2).status().off_reason, HasSubstr("cannot read the statefile"));

  path->cut = false;
  ASSERT_TRUE(pool.run_until(
      [&] {
        return pool.driver(2).status().off_reason.find("already stopped on this host") !=
               std::string::npos;
      },
      kDeadline))
      << pool.driver(2).status().off_reason;
  // It stays out: no engine and never armed; the others carry on without it.
  pool.run_for(std::chrono::seconds(2));
  EXPECT_FALSE(pool.driver(2).status().ha_on);
  EXPECT_EQ(pool.driver(2).engine(), nullptr);
  EXPECT_EQ(pool.host(2).watchdog.arms, arms_before);
  for (const HostIndex h : {HostIndex{0}, HostIndex{1}}) {
    EXPECT_TRUE(pool.driver(h).status().ha_on) << h;
    EXPECT_EQ(pool.driver(h).status().announced.members, (HostSet{0, 1})) << h;
  }
}

TEST(MembershipDriver, EmergencyDisableWithoutHaStaysRefused) {
  TestPool pool(2);
  // The statefile was never written: HA is simply not enabled.
  ASSERT_TRUE(pool.run_until(
      [&] { return pool.driver(0).status().off_reason.find("not enabled") != std::string::npos; },
      kDeadline));
  const std::optional<std::string> refused = pool.driver(0).emergency_disable();
  ASSERT_TRUE(refused.has_value());
  EXPECT_THAT(*refused, HasSubstr("HA is off"));
}

TEST(MembershipDriver, AFencerThatFailsWhileAMemberFencesTheHostAndItStaysOut) {
  TestPool pool(3);
  ASSERT_EQ(pool.enable_and_wait(0), std::nullopt);
  pool.host(2).watchdog.fail_kicks = true;

  ASSERT_TRUE(pool.run_until([&] { return !pool.host(2).watchdog.fences.empty(); }, kDeadline));
  EXPECT_THAT(pool.host(2).watchdog.fences.front(), HasSubstr("fencer connection lost"));
  const MembershipStatus& status = pool.driver(2).status();
  EXPECT_FALSE(status.ha_on);
  EXPECT_THAT(status.off_reason, HasSubstr("fenced"));
  EXPECT_EQ(pool.driver(2).engine(), nullptr);
  // Never disarmed: a fenced host's watchdog must still fire.
  EXPECT_EQ(pool.host(2).watchdog.disarms, 0);

  // The others remove it; the fenced host never builds an engine again.
  ASSERT_TRUE(pool.run_until(
      [&] {
        const MembershipStatus& a = pool.driver(0).status();
        return a.announced.members == HostSet{0, 1} &&
               pool.driver(1).status().announced.same_as(a.announced);
      },
      kDeadline));
  EXPECT_EQ(pool.host(2).watchdog.fences.size(), 1u);
  EXPECT_FALSE(pool.driver(2).status().ha_on);
  EXPECT_TRUE(pool.host(0).watchdog.fences.empty());
  EXPECT_TRUE(pool.host(1).watchdog.fences.empty());
  std::optional<std::optional<std::string>> again;
  pool.driver(2).enable(std::chrono::seconds(2),
                        [&](const std::optional<std::string>& error) { again = error; });
  ASSERT_TRUE(pool.run_until([&] { return again.has_value(); }, kDeadline));
  ASSERT_TRUE(again->has_value());
  EXPECT_THAT(**again, HasSubstr("stopped HA"));
}

TEST(MembershipDriver, RefusesAStatefileRegionTooSmallForThePool) {
  TestPool pool(3, false);
  auto& host = pool.host(0);
  EXPECT_THROW(
      MembershipDriver(pool.io, pool.config_for(0), *host.worker, io::DeviceRegion{0, 4096},
                       host.watchdog, pool.clock, *host.boot_counter, nullptr),
      MembershipConfigError);
}

TEST(MembershipDriver, RefusesUnsortedHostUuids) {
  TestPool pool(3, false);
  auto& host = pool.host(0);
  MembershipConfig config = pool.config_for(0);
  std::swap(config.host_uuids[0], config.host_uuids[2]);
  try {
    MembershipDriver driver(pool.io, config, *host.worker, pool.statefile_region(), host.watchdog,
                            pool.clock, *host.boot_counter, nullptr);
    FAIL() << "unsorted uuids accepted";
  } catch (const MembershipConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not sorted"));
  }
}

}  // namespace
}  // namespace poolha::daemon

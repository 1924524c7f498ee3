// A pool of membership drivers in one io_context for the tests: a temporary
// file as the heartbeat SR (buffered I/O, so it works on tmpfs), one storage
// worker and one boot counter per host, free loopback ports for the
// heartbeats, and a fake watchdog that records what the driver asked of it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "../support/fake_watchdog.h"
#include "../support/temp_dir.h"
#include "daemon/membership/boot_counter.h"
#include "daemon/membership/membership_driver.h"
#include "daemon/membership/membership_status.h"
#include "fence/watchdog.h"
#include "io/block_device.h"
#include "io/monotonic_clock.h"
#include "io/storage_worker.h"

namespace poolha::daemon::testing {

inline constexpr Duration kTestFenceLatency = std::chrono::milliseconds(50);

using test_support::FakeWatchdog;
using test_support::TempDir;

class RecordingListener final : public MembershipListener {
 public:
  void on_status(const MembershipStatus& status) override { statuses.push_back(status); }
  void on_event(const ha::Event& event) override { events.push_back(event); }

  const MembershipStatus& last() const;
  std::vector<MembershipStatus> statuses;
  std::vector<ha::Event> events;
};

class TestPool {
 public:
  struct Host {
    TempDir state_dir;
    std::unique_ptr<BootCounter> boot_counter;
    FakeWatchdog watchdog;
    RecordingListener listener;
    std::unique_ptr<io::StorageWorker> worker;
    std::unique_ptr<MembershipDriver> driver;
  };

  // `host_count` hosts; the drivers start at once unless `start` is false.
  explicit TestPool(std::uint16_t host_count, bool start = true);
  ~TestPool();

  // Builds the driver of every host that has none yet.
  void start_drivers();
  MembershipConfig config_for(HostIndex self) const;
  io::DeviceRegion statefile_region() const;

  MembershipDriver& driver(HostIndex h) { return *hosts[h]->driver; }
  Host& host(HostIndex h) { return *hosts[h]; }
  // The host died: its driver and storage worker are gone, nothing is disarmed.
  void kill(HostIndex h);
  // A killed host boots again with `device` as its path to the heartbeat SR.
  void boot(HostIndex h, std::shared_ptr<io::BlockDevice> device);
  // This pool's heartbeat SR file, as a host opens it.
  std::shared_ptr<io::BlockDevice> open_sr() const;

  // Runs the loop until `done()` holds or `limit` passed; returns done().
  template <typename Done>
  bool run_until(Done done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      io.restart();
      io.run_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  void run_for(std::chrono::milliseconds how_long);

  // Enables HA on `initiator` with T = 2 s and waits until every live host is
  // a member of the same committed liveset; returns the enable result.
  std::optional<std::string> enable_and_wait(HostIndex initiator);
  // Whether every running driver is a member of one liveset of `members`.
  bool all_members_of(std::size_t members) const;

  asio::io_context io;  // first: destroyed after everything that uses it
  io::MonotonicClock clock;
  TempDir sr_dir;
  std::filesystem::path sr_file;
  std::uint16_t host_count;
  std::vector<std::uint16_t> ports;
  std::vector<std::unique_ptr<Host>> hosts;
};

}  // namespace poolha::daemon::testing

// One host's daemon parts, really wired, in one event loop for the backend
// tests: a heartbeat SR image file in a temporary directory created as a
// 1-host pool, the storage worker, the pool store (loaded and master), the
// membership driver on 127.0.0.1 with a fake watchdog, VM failover with the
// simulated hypervisor, and the DaemonBackend over them. The glue between
// the parts is the smallest that lets HA run on a single host.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "api/outcome.h"
#include "daemon/config.h"
#include "daemon/host/daemon_backend.h"
#include "daemon/membership/boot_counter.h"
#include "daemon/membership/membership_driver.h"
#include "daemon/store/pool_store.h"
#include "daemon/vms/asio_scheduler.h"
#include "daemon/vms/vm_failover.h"
#include "fence/watchdog.h"
#include "io/monotonic_clock.h"
#include "io/storage_worker.h"
#include "vm/run_ledger.h"
#include "vm/sim_vm_driver.h"

#include "../support/fake_watchdog.h"
#include "../support/temp_dir.h"

namespace poolha::daemon::testing {

inline constexpr const char* kPoolUuid = "0a000000-0000-4000-8000-000000000001";
inline constexpr const char* kHostUuid = "0b000000-0000-4000-8000-000000000002";
inline constexpr const char* kSrUuid = "0c000000-0000-4000-8000-000000000003";

using test_support::FakeWatchdog;
using test_support::TempDir;

class SingleHostPool final : public MembershipListener {
 public:
  // Creates the pool with `vm_names` (halted, 256 MiB each) and builds every
  // part; the store is loaded and made master only by start().
  explicit SingleHostPool(const std::vector<std::string>& vm_names);
  ~SingleHostPool() override;

  // Loads the database and becomes its writer; true when both succeeded.
  bool start();

  // Runs the loop until `done()` holds or `limit` passed; returns done().
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(10));
  void run_for(std::chrono::milliseconds span);

  // Calls a backend mutation and waits for its reply; checks that the reply
  // came exactly once (a second one within a short while fails the test).
  api::Outcome call(const std::function<void(api::Reply)>& mutation,
                    std::chrono::milliseconds limit = std::chrono::seconds(20));

  // What a fresh store reading the heartbeat SR finds.
  std::shared_ptr<const pool::Database> reload();
  std::string vm_uuid(const std::string& name) const;

  void on_status(const MembershipStatus& status) override;
  void on_event(const ha::Event&) override {}

  asio::io_context io;  // first: destroyed after everything that uses it
  io::MonotonicClock clock;
  TempDir dir;
  DaemonConfig config;
  FakeWatchdog watchdog;
  std::unique_ptr<BootCounter> boot_counter;
  std::unique_ptr<io::StorageWorker> worker;
  std::unique_ptr<PoolStore> store;
  std::unique_ptr<AsioScheduler> scheduler;
  vm::RunLedger ledger;
  std::unique_ptr<vm::SimVmDriver> hypervisor;
  std::unique_ptr<PeerSender> sender;
  std::unique_ptr<CoordinatorPersister> persister;
  std::unique_ptr<VmFailover> failover;
  std::unique_ptr<MembershipDriver> membership;
  std::unique_ptr<DaemonBackend> backend;
};

}  // namespace poolha::daemon::testing

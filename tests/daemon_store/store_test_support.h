// Shared pieces of the pool store tests: a pool configuration whose heartbeat
// SR is an image file in a temporary directory, a block device that fails or
// stalls chosen writes, and one host's store on its own storage worker.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "daemon/config.h"
#include "daemon/store/pool_store.h"
#include "io/block_device.h"
#include "io/monotonic_clock.h"
#include "io/storage_worker.h"

#include "../support/temp_dir.h"

namespace poolha::daemon::testing {

inline constexpr const char* kPoolUuid = "cccccccc-0000-4000-8000-000000000003";
inline constexpr const char* kHostA = "aaaaaaaa-0000-4000-8000-000000000001";
inline constexpr const char* kHostB = "bbbbbbbb-0000-4000-8000-000000000002";
inline constexpr const char* kHostC = "cccccccc-0000-4000-8000-00000000000c";
inline constexpr const char* kSrUuid = "dddddddd-0000-4000-8000-000000000004";

// Under /var/tmp, a disk filesystem, so O_DIRECT works.
class TempDir : public test_support::TempDir {
 public:
  TempDir() : test_support::TempDir("/var/tmp", "poolha-store-test") {}
};

// Three hosts, this one `host_uuid`, the heartbeat SR at <dir>/heartbeat-sr.img
// with a 1 MiB metadata area, state_dir <dir>/state-<host name>.
DaemonConfig test_config(const std::filesystem::path& dir, const std::string& host_uuid);

// Wraps a device; writes can be made to fail or to stall, counted from the
// moment they are armed.
class FaultyBlockDevice final : public io::BlockDevice {
 public:
  explicit FaultyBlockDevice(std::shared_ptr<io::BlockDevice> inner) : inner_(std::move(inner)) {}

  const std::string& name() const override { return inner_->name(); }
  std::uint64_t size() const override { return inner_->size(); }
  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) override {
    return inner_->read(offset, length);
  }
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  void flush() override { inner_->flush(); }

  // The `nth` write from now (1 = the next one) throws without writing.
  void fail_write(std::size_t nth);
  // The `nth` write from now sleeps `delay` before it writes.
  void stall_write(std::size_t nth, std::chrono::milliseconds delay);
  std::size_t writes() const { return writes_.load(); }
  std::size_t failed_writes() const { return failed_.load(); }

 private:
  std::shared_ptr<io::BlockDevice> inner_;
  std::atomic<std::size_t> writes_{0};
  std::atomic<std::size_t> failed_{0};
  std::mutex mutex_;
  std::optional<std::size_t> fail_at_;
  std::optional<std::size_t> stall_at_;
  std::chrono::milliseconds stall_for_{0};
};

// One host: its own view of the heartbeat SR, storage worker and store.
class TestHost {
 public:
  TestHost(asio::io_context& io, const DaemonConfig& config, PoolStoreSettings overrides = {});

  PoolStore& store() { return *store_; }
  FaultyBlockDevice& device() { return *device_; }
  const DaemonConfig& config() const { return config_; }

 private:
  DaemonConfig config_;
  io::MonotonicClock clock_;
  std::shared_ptr<FaultyBlockDevice> device_;
  std::unique_ptr<io::StorageWorker> worker_;
  std::unique_ptr<PoolStore> store_;
};

// Runs the loop until `done()` holds or 10 s passed; returns done().
bool run_until(asio::io_context& io, const std::function<bool()>& done);
// Runs the loop for `duration`.
void run_for(asio::io_context& io, std::chrono::milliseconds duration);

}  // namespace poolha::daemon::testing

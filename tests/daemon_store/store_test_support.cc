// The store tests' configuration, devices and loop helpers.
#include "store_test_support.h"

#include <stdlib.h>

#include <stdexcept>
#include <thread>

#include "daemon/store/heartbeat_sr_device.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "io/io_error.h"

namespace poolha::daemon::testing {

DaemonConfig test_config(const std::filesystem::path& dir, const std::string& host_uuid) {
  DaemonConfig config;
  config.source = dir / "poolha.toml";
  config.host_uuid = host_uuid;
  config.pool_uuid = kPoolUuid;
  config.pool_name = "test pool";
  config.default_ha_timeout = 45s;
  const std::string names[] = {"alpha", "beta", "gamma"};
  const char* uuids[] = {kHostA, kHostB, kHostC};
  for (int i = 0; i < 3; ++i) {
    PoolHostConfig host;
    host.uuid = uuids[i];
    host.name = names[i];
    host.heartbeat = {"10.0.0." + std::to_string(i + 1), 694};
    host.api = {"10.0.0." + std::to_string(i + 1), 8080};
    host.memory_mib = 8192 * static_cast<std::uint64_t>(i + 1);
    host.memory_overhead_mib = 512;
    host.weight = 1;
    config.hosts.push_back(host);
    if (host.uuid == host_uuid) config.state_dir = dir / ("state-" + host.name);
  }
  config.heartbeat_sr.uuid = kSrUuid;
  config.heartbeat_sr.name_label = "MGMT-HA";
  config.heartbeat_sr.device = (dir / "heartbeat-sr.img").string();
  config.heartbeat_sr.direct_io = true;
  config.heartbeat_sr.metadata_area_mib = 1;
  return config;
}

void FaultyBlockDevice::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  const std::size_t number = ++writes_;
  std::chrono::milliseconds stall{0};
  {
    const std::lock_guard lock(mutex_);
    if (fail_at_ && *fail_at_ == number) {
      fail_at_.reset();
      ++failed_;
      throw io::IoError("injected write failure");
    }
    if (stall_at_ && *stall_at_ == number) {
      stall_at_.reset();
      stall = stall_for_;
    }
  }
  if (stall.count() > 0) std::this_thread::sleep_for(stall);
  inner_->write(offset, bytes);
}

void FaultyBlockDevice::fail_write(std::size_t nth) {
  const std::lock_guard lock(mutex_);
  fail_at_ = writes_.load() + nth;
}

void FaultyBlockDevice::stall_write(std::size_t nth, std::chrono::milliseconds delay) {
  const std::lock_guard lock(mutex_);
  stall_at_ = writes_.load() + nth;
  stall_for_ = delay;
}

TestHost::TestHost(asio::io_context& io, const DaemonConfig& config, PoolStoreSettings overrides)
    : config_(config),
      device_(std::make_shared<FaultyBlockDevice>(open_heartbeat_sr_device(config.heartbeat_sr))),
      worker_(std::make_unique<io::StorageWorker>(io.get_executor(), device_, clock_)) {
  PoolStoreSettings settings = std::move(overrides);
  settings.pool_uuid = config.pool_uuid;
  settings.metadata_area = heartbeat_sr_layout(config).metadata_area;
  settings.state_dir = config.state_dir;
  store_ = std::make_unique<PoolStore>(io.get_executor(), *worker_, std::move(settings));
}

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < limit) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

void run_for(asio::io_context& io, std::chrono::milliseconds duration) {
  io.restart();
  io.run_for(duration);
}

}  // namespace poolha::daemon::testing

// The test pool's plumbing. Ports are picked by binding port 0 and closing
// the socket again; the drivers bind them a moment later.
#include "test_pool.h"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

#include <asio/ip/udp.hpp>

#include "io/file_block_device.h"
#include "wire/statefile.h"

namespace poolha::daemon::testing {

const MembershipStatus& RecordingListener::last() const {
  static const MembershipStatus none;
  return statuses.empty() ? none : statuses.back();
}

namespace {

std::vector<std::uint16_t> free_udp_ports(std::size_t count) {
  asio::io_context io;
  std::vector<asio::ip::udp::socket> sockets;
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < count; ++i) {
    sockets.emplace_back(io, asio::ip::udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
    ports.push_back(sockets.back().local_endpoint().port());
  }
  return ports;
}

}  // namespace

TestPool::TestPool(std::uint16_t count, bool start)
    : sr_file(sr_dir.path() / "heartbeat-sr"), host_count(count), ports(free_udp_ports(count)) {
  // The statefile rounded up to 1 MiB, as on a real heartbeat SR.
  const std::uint64_t mib = 1 << 20;
  const std::uint64_t size = (wire::layout_for(count).total_size() + mib - 1) / mib * mib;
  { std::ofstream(sr_file.string(), std::ios::binary); }
  std::filesystem::resize_file(sr_file, size);
  for (HostIndex h = 0; h < count; ++h) {
    auto host = std::make_unique<Host>();
    host->boot_counter = std::make_unique<BootCounter>(host->state_dir.path());
    host->worker = std::make_unique<io::StorageWorker>(io.get_executor(), open_sr(), clock);
    hosts.push_back(std::move(host));
  }
  if (start) start_drivers();
}

TestPool::~TestPool() {
  for (auto& host : hosts) host->driver.reset();
}

MembershipConfig TestPool::config_for(HostIndex self) const {
  MembershipConfig c;
  c.host_count = host_count;
  c.self = self;
  for (HostIndex h = 0; h < host_count; ++h) {
    wire::Uuid uuid{};
    uuid[0] = static_cast<std::uint8_t>(0x10 + h);  // sorted by index
    uuid[15] = 0x42;
    c.host_uuids.push_back(uuid);
    c.heartbeat_endpoints.emplace_back(asio::ip::make_address_v4("127.0.0.1"), ports[h]);
    c.weights.push_back(1);
  }
  c.heartbeat_binding = io::UdpBinding{"127.0.0.1", "", ports[self]};
  c.secret = {'p', 'o', 'o', 'l', '-', 's', 'e', 'c', 'r', 'e', 't'};
  // The fake watchdog stops nothing, so its fence latency is tiny; with the
  // default 200 ms bound the minimum T of 2 s would be refused.
  c.environment.fence_latency = kTestFenceLatency;
  c.poll_interval = std::chrono::milliseconds(200);
  c.poll_timeout = std::chrono::seconds(2);
  return c;
}

io::DeviceRegion TestPool::statefile_region() const {
  return io::DeviceRegion{0, std::filesystem::file_size(sr_file)};
}

void TestPool::start_drivers() {
  for (HostIndex h = 0; h < host_count; ++h) {
    Host& host = *hosts[h];
    if (host.driver || !host.worker) continue;
    host.driver = std::make_unique<MembershipDriver>(io, config_for(h), *host.worker,
                                                     statefile_region(), host.watchdog, clock,
                                                     *host.boot_counter, &host.listener);
  }
}

void TestPool::kill(HostIndex h) {
  hosts[h]->driver.reset();
  hosts[h]->worker.reset();
}

void TestPool::boot(HostIndex h, std::shared_ptr<io::BlockDevice> device) {
  Host& host = *hosts[h];
  host.driver.reset();
  host.worker = std::make_unique<io::StorageWorker>(io.get_executor(), std::move(device), clock);
  start_drivers();
}

std::shared_ptr<io::BlockDevice> TestPool::open_sr() const {
  return std::make_shared<io::FileBlockDevice>(sr_file.string(),
                                               io::FileBlockDeviceOptions{.direct = false});
}

void TestPool::run_for(std::chrono::milliseconds how_long) {
  const auto end = std::chrono::steady_clock::now() + how_long;
  run_until([&] { return std::chrono::steady_clock::now() >= end; }, how_long * 2);
}

bool TestPool::all_members_of(std::size_t members) const {
  std::optional<wire::Membership> liveset;
  for (const auto& host : hosts) {
    if (!host->driver) continue;
    const MembershipStatus& s = host->driver->status();
    if (!s.ha_on || s.phase != wire::Phase::kMember || s.announced.epoch == 0 ||
        s.announced.members.size() != members) {
      return false;
    }
    if (liveset && !liveset->same_as(s.announced)) return false;
    liveset = s.announced;
  }
  return liveset.has_value();
}

std::optional<std::string> TestPool::enable_and_wait(HostIndex initiator) {
  std::optional<std::optional<std::string>> result;
  driver(initiator).enable(std::chrono::seconds(2),
                           [&](const std::optional<std::string>& error) { result = error; });
  std::size_t running = 0;
  for (const auto& host : hosts) running += host->driver ? 1 : 0;
  if (!run_until([&] { return result.has_value() && (*result || all_members_of(running)); },
                 std::chrono::seconds(20))) {
    return std::string("timed out waiting for every host to become a member");
  }
  return *result;
}

}  // namespace poolha::daemon::testing

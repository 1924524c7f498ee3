// The single-host pool's wiring. The heartbeat port is picked by binding
// port 0 and closing the socket again; the driver binds it a moment later.
#include "single_host_pool.h"

#include "../support/event_loop.h"

#include <stdlib.h>

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

#include <asio/ip/udp.hpp>
#include <asio/post.hpp>

#include "daemon/store/heartbeat_sr_device.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "daemon/store/pool_create.h"
#include "failover/pool_mapping.h"

namespace poolha::daemon::testing {

namespace {

std::uint16_t free_udp_port() {
  asio::io_context io;
  asio::ip::udp::socket socket(io,
                               asio::ip::udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  return socket.local_endpoint().port();
}

wire::Uuid uuid_bytes(const std::string& text) {
  wire::Uuid out{};
  std::size_t nibble = 0;
  for (char c : text) {
    if (c == '-') continue;
    const int value = std::stoi(std::string(1, c), nullptr, 16);
    out[nibble / 2] = static_cast<std::uint8_t>(out[nibble / 2] | (value << (nibble % 2 ? 0 : 4)));
    ++nibble;
  }
  if (nibble != 32) throw std::invalid_argument("not a uuid: " + text);
  return out;
}

DaemonConfig single_host_config(const std::filesystem::path& dir) {
  DaemonConfig config;
  config.source = dir / "poolha.toml";
  config.host_uuid = kHostUuid;
  config.state_dir = dir / "state";
  config.run_dir = dir / "run";
  config.pool_uuid = kPoolUuid;
  config.pool_name = "solo pool";
  PoolHostConfig host;
  host.uuid = kHostUuid;
  host.name = "solo";
  host.heartbeat = {"127.0.0.1", free_udp_port()};
  host.api = {"127.0.0.1", 4443};
  host.memory_mib = 4096;
  host.memory_overhead_mib = 256;
  config.hosts.push_back(host);
  config.heartbeat_sr.uuid = kSrUuid;
  config.heartbeat_sr.name_label = "HA heartbeat";
  config.heartbeat_sr.device = (dir / "heartbeat-sr.img").string();
  config.heartbeat_sr.direct_io = false;  // the temporary directory may be tmpfs
  config.heartbeat_sr.metadata_area_mib = 1;
  // The fake watchdog stops nothing at once, so the smallest T (2 s) is safe.
  config.default_ha_timeout = std::chrono::seconds(2);
  config.fence_latency = std::chrono::milliseconds(50);
  return config;
}

MembershipConfig membership_config(const DaemonConfig& config) {
  MembershipConfig out;
  out.host_count = static_cast<std::uint16_t>(config.hosts.size());
  out.self = static_cast<HostIndex>(config.self_index());
  for (const PoolHostConfig& h : config.hosts) {
    out.host_uuids.push_back(uuid_bytes(h.uuid));
    out.heartbeat_endpoints.emplace_back(asio::ip::make_address_v4(h.heartbeat.address),
                                         h.heartbeat.port);
    out.weights.push_back(h.weight);
  }
  out.heartbeat_binding = io::UdpBinding{"127.0.0.1", "", config.self().heartbeat.port};
  out.secret = {'s', 'o', 'l', 'o'};
  out.environment.clock_drift = config.clock_drift;
  out.environment.fence_latency = config.fence_latency;
  out.poll_interval = std::chrono::milliseconds(200);
  out.poll_timeout = std::chrono::seconds(2);
  return out;
}

// Messages to this host itself, delivered on the loop.
class LoopbackSender final : public PeerSender {
 public:
  explicit LoopbackSender(SingleHostPool& pool) : pool_(pool) {}
  void send(HostIndex, PeerMessage message) override {
    asio::post(pool_.io, [this, message = std::move(message)] {
      if (pool_.failover) pool_.failover->receive(message);
    });
  }

 private:
  SingleHostPool& pool_;
};

class StorePersister final : public CoordinatorPersister {
 public:
  explicit StorePersister(PoolStore& store) : store_(store) {}
  void persist(std::vector<failover::VmRecord> records, std::optional<failover::PlanStatus> status,
               Done done) override {
    const auto db = store_.database();
    std::vector<pool::Change> changes =
        failover::to_changes(records, status, failover::HostDirectory::of(*db));
    if (changes.empty()) return done(true);
    store_.persist(std::move(changes),
                   [done = std::move(done)](const StoreOutcome& outcome) { done(outcome.ok()); });
  }

 private:
  PoolStore& store_;
};

}  // namespace

SingleHostPool::SingleHostPool(const std::vector<std::string>& vm_names)
    : config(single_host_config(dir.path())) {
  std::filesystem::create_directories(config.state_dir);
  PoolCreateOptions options;
  for (const std::string& name : vm_names) options.vms.push_back(NewVm{name, 256});
  create_pool(config, options);

  const HeartbeatSrLayout layout = heartbeat_sr_layout(config);
  boot_counter = std::make_unique<BootCounter>(config.state_dir);
  worker = std::make_unique<io::StorageWorker>(
      io.get_executor(), open_heartbeat_sr_device(config.heartbeat_sr), clock);
  PoolStoreSettings settings;
  settings.pool_uuid = config.pool_uuid;
  settings.metadata_area = layout.metadata_area;
  settings.state_dir = config.state_dir;
  settings.device_timeout = std::chrono::seconds(2);
  settings.retry_delay = std::chrono::milliseconds(200);
  store = std::make_unique<PoolStore>(io.get_executor(), *worker, settings);

  scheduler = std::make_unique<AsioScheduler>(io.get_executor(), clock);
  hypervisor = std::make_unique<vm::SimVmDriver>(
      0, std::uint64_t{4} << 30, *scheduler, ledger,
      vm::SimVmTiming{std::chrono::milliseconds(50), std::chrono::milliseconds(10)});
  sender = std::make_unique<LoopbackSender>(*this);
  persister = std::make_unique<StorePersister>(*store);
  VmFailoverConfig failover_config;
  failover_config.self = 0;
  failover_config.report_interval = std::chrono::milliseconds(200);
  failover_config.persist_retry = std::chrono::milliseconds(200);
  failover_config.load_retry = std::chrono::milliseconds(200);
  VmFailoverListener listener;
  listener.needs_coordinator = [this](std::uint64_t term) {
    const auto db = store->database();
    if (!db) return failover->coordinator_load_failed(term);
    failover->start_coordinator(term, failover::to_pool_snapshot(*db, failover::FailoverPolicy{}));
  };
  failover = std::make_unique<VmFailover>(failover_config, io.get_executor(), clock, *hypervisor,
                                          *sender, *persister, std::move(listener));
  membership =
      std::make_unique<MembershipDriver>(io, membership_config(config), *worker, layout.statefile,
                                         watchdog, clock, *boot_counter, this);
  backend =
      std::make_unique<DaemonBackend>(io.get_executor(), config, *membership, *store, *failover);
}

SingleHostPool::~SingleHostPool() {
  backend.reset();
  membership.reset();
  failover.reset();
}

bool SingleHostPool::start() {
  std::optional<LoadOutcome> loaded;
  store->load([&loaded](LoadOutcome outcome) { loaded = std::move(outcome); });
  if (!run_until([&loaded] { return loaded.has_value(); }) || !loaded->ok()) return false;
  std::optional<StoreOutcome> took_over;
  store->become_master(pool::MasterToken::for_elected_master(config.host_uuid),
                       [&took_over](StoreOutcome outcome) { took_over = std::move(outcome); });
  return run_until([&took_over] { return took_over.has_value(); }) && took_over->ok();
}

void SingleHostPool::on_status(const MembershipStatus& status) {
  if (!failover) return;
  const bool taking_part = status.ha_on && takes_part(status.phase);
  failover->set_membership(
      HostMembership{status.announced, status.incarnation, taking_part,
                     taking_part && status.is_master && status.announced.members.contains(0)});
}

bool SingleHostPool::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  return test_support::run_until(io, done, limit);
}

void SingleHostPool::run_for(std::chrono::milliseconds span) {
  test_support::run_for(io, span);
}

api::Outcome SingleHostPool::call(const std::function<void(api::Reply)>& mutation,
                                  std::chrono::milliseconds limit) {
  std::vector<api::Outcome> replies;
  mutation([&replies](api::Outcome outcome) { replies.push_back(std::move(outcome)); });
  if (!run_until([&replies] { return !replies.empty(); }, limit)) {
    ADD_FAILURE() << "no reply within " << limit.count() << " ms";
    return api::Outcome::failure(api::XenApiError(std::vector<std::string>{"TEST_TIMEOUT"}));
  }
  run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(replies.size(), 1u) << "a Reply was called more than once";
  return replies.front();
}

std::shared_ptr<const pool::Database> SingleHostPool::reload() {
  PoolStoreSettings settings;
  settings.pool_uuid = config.pool_uuid;
  settings.metadata_area = heartbeat_sr_layout(config).metadata_area;
  settings.state_dir = dir.path() / "fresh-state";
  std::filesystem::create_directories(settings.state_dir);
  std::optional<LoadOutcome> loaded;
  {
    // The store saves its local copy on a thread of its own; its end waits
    // for that save, so the directory is removed only after it.
    PoolStore fresh(io.get_executor(), *worker, settings);
    fresh.load([&loaded](LoadOutcome outcome) { loaded = std::move(outcome); });
    if (!run_until([&loaded] { return loaded.has_value(); })) loaded.reset();
  }
  std::filesystem::remove_all(settings.state_dir);
  if (!loaded || !loaded->ok()) return nullptr;
  return loaded->database;
}

std::string SingleHostPool::vm_uuid(const std::string& name) const {
  for (const auto& entry : backend->database()->vms()) {
    if (entry.second.name_label == name) return entry.first;
  }
  throw std::invalid_argument("no VM named " + name);
}

}  // namespace poolha::daemon::testing

#include "daemon/host/host_daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/ip/address.hpp>
#include <asio/post.hpp>
#include <chrono>

#include "api/ha_alerts.h"
#include "daemon/host/api_service.h"
#include "daemon/host/daemon_backend.h"
#include "daemon/host/host_environment.h"
#include "daemon/membership/boot_counter.h"
#include "daemon/membership/membership_driver.h"
#include "daemon/ops/daemon_metrics.h"
#include "daemon/ops/metrics_route.h"
#include "daemon/ops/systemd_notifier.h"
#include "daemon/ops/watchdog_keepalive.h"
#include "daemon/peer_message.h"
#include "daemon/pool_secret.h"
#include "daemon/store/heartbeat_sr_device.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "daemon/store/pool_store.h"
#include "daemon/vms/coordinator_persister.h"
#include "daemon/vms/peer_link.h"
#include "daemon/vms/vm_failover.h"
#include "io/storage_worker.h"
#include "pool/master_token.h"
#include "vm/process_registry.h"
#include "vm/vm_driver.h"
#include "wire/phase_name.h"

namespace poolha::daemon {
namespace {

constexpr Duration kHousekeepingInterval = std::chrono::seconds(2);
constexpr Duration kRetryDelay = std::chrono::seconds(1);

std::vector<std::string> host_uuids(const DaemonConfig& config) {
  std::vector<std::string> out;
  for (const PoolHostConfig& h : config.hosts) out.push_back(h.uuid);
  return out;
}

wire::Uuid uuid_bytes(const std::string& text) {
  wire::Uuid out{};
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < text.size() && n < out.size();) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    out[n++] = static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

MembershipConfig membership_config(const DaemonConfig& config,
                                   const std::vector<std::uint8_t>& secret) {
  MembershipConfig out;
  out.host_count = static_cast<std::uint16_t>(config.hosts.size());
  out.self = static_cast<HostIndex>(config.self_index());
  for (const PoolHostConfig& h : config.hosts) {
    out.host_uuids.push_back(uuid_bytes(h.uuid));
    out.heartbeat_endpoints.emplace_back(asio::ip::make_address(h.heartbeat.address),
                                         h.heartbeat.port);
    out.weights.push_back(h.weight);
  }
  out.heartbeat_binding.address = config.self().heartbeat.address;
  out.heartbeat_binding.port = config.self().heartbeat.port;
  out.secret = secret;
  out.environment.clock_drift = config.clock_drift;
  out.environment.fence_latency = config.fence_latency;
  for (const std::string& a : config.isolation_addresses) {
    out.isolation_addresses.push_back(asio::ip::make_address_v4(a));
  }
  if (config.heartbeat_interface) out.management_interface = *config.heartbeat_interface;
  return out;
}

PeerLinkConfig peer_link_config(const DaemonConfig& config,
                                const std::vector<std::uint8_t>& secret) {
  PeerLinkConfig out;
  out.self = static_cast<HostIndex>(config.self_index());
  for (std::size_t i = 0; i < config.hosts.size(); ++i) {
    if (i == config.self_index()) continue;
    out.peers.emplace(static_cast<HostIndex>(i),
                      PeerEndpoint{config.hosts[i].api.address, config.hosts[i].api.port});
  }
  out.secret = secret;
  return out;
}

const api::AlertKind* alert_kind(const std::string& name) {
  static const api::AlertKind* const kKinds[] = {
      &api::kHaHostFailed,
      &api::kHaHostWasFenced,
      &api::kHaStatefileLost,
      &api::kHaPoolOvercommitted,
      &api::kHaPoolDropInPlanExistsFor,
      &api::kHaProtectedVmRestartFailed,
  };
  for (const api::AlertKind* kind : kKinds) {
    if (name == kind->name) return kind;
  }
  return nullptr;
}

}  // namespace

// The coordinator's records and plan status, written to the pool database
// as changes through the store before the coordinator's commands go out.
class StorePersister final : public CoordinatorPersister {
 public:
  StorePersister(PoolStore& store, const failover::HostDirectory& directory)
      : store_(store), directory_(directory) {}

  void persist(std::vector<failover::VmRecord> records, std::optional<failover::PlanStatus> status,
               Done done) override {
    std::vector<pool::Change> changes = failover::to_changes(records, status, directory_);
    if (changes.empty()) {
      done(true);
      return;
    }
    store_.persist(std::move(changes), [done = std::move(done)](StoreOutcome outcome) {
      if (!outcome.ok()) {
        spdlog::error("failover records not written to the pool database: {}", outcome.error);
      }
      done(outcome.ok());
    });
  }

 private:
  PoolStore& store_;
  const failover::HostDirectory& directory_;
};

HostDaemon::HostDaemon(asio::io_context& io, DaemonConfig config)
    : io_(io),
      config_(std::move(config)),
      secret_(read_pool_secret(config_.secret_file)),
      directory_(host_uuids(config_)),
      housekeeping_(io),
      retry_timer_(io),
      shutdown_timer_(io) {
  std::filesystem::create_directories(config_.state_dir);
  std::filesystem::create_directories(config_.run_dir);
  boot_counter_ = std::make_unique<BootCounter>(config_.state_dir);

  const HeartbeatSrLayout layout = heartbeat_sr_layout(config_);
  device_ = open_heartbeat_sr_device_waiting_for_server(config_.heartbeat_sr, layout);
  check_heartbeat_sr_size(*device_, layout);
  worker_ = std::make_unique<io::StorageWorker>(io_.get_executor(), device_, clock_);

  fencer_ = make_fencer(config_);
  registry_ = std::make_unique<vm::VmProcessRegistry>(vm_registry_dir(config_));
  driver_ = make_vm_driver(config_, io_, *registry_);

  PoolStoreSettings store_settings;
  store_settings.pool_uuid = config_.pool_uuid;
  store_settings.metadata_area = layout.metadata_area;
  store_settings.state_dir = config_.state_dir;
  store_ = std::make_unique<PoolStore>(io_.get_executor(), *worker_, store_settings);
  store_->set_snapshot_listener(
      [this](const std::shared_ptr<const pool::Database>&, pool::Generation) { on_snapshot(); });
  persister_ = std::make_unique<StorePersister>(*store_, directory_);

  link_ = std::make_unique<PeerLink>(peer_link_config(config_, secret_), io_.get_executor(),
                                     [this](PeerMessage message) {
                                       if (failover_) failover_->receive(message);
                                     });
  VmFailoverConfig failover_config;
  failover_config.self = static_cast<HostIndex>(config_.self_index());
  VmFailoverListener listener;
  listener.needs_coordinator = [this](std::uint64_t term) { on_needs_coordinator(term); };
  listener.alert = [this](const failover::Alert& alert) {
    post_alert(alert.name, alert.vm.empty() ? "Pool" : "VM",
               alert.vm.empty() ? config_.pool_uuid : alert.vm, alert.text);
  };
  listener.note = [](const std::string& text) { spdlog::info("failover: {}", text); };
  listener.fenced = [this](const failover::FencedHost& fenced) {
    post_alert(api::kHaHostWasFenced.name, "Host", host_uuid(fenced.host),
               fmt::format("host {} is confirmed fenced (liveset epoch {})", host_uuid(fenced.host),
                           fenced.epoch));
  };
  failover_ = std::make_unique<VmFailover>(failover_config, io_.get_executor(), clock_, *driver_,
                                           *link_, *persister_, std::move(listener));

  membership_ =
      std::make_unique<MembershipDriver>(io_, membership_config(config_, secret_), *worker_,
                                         layout.statefile, *fencer_, clock_, *boot_counter_, this);
  status_ = membership_->status();

  backend_ = std::make_unique<DaemonBackend>(io_.get_executor(), config_, *membership_, *store_,
                                             *failover_);
  metrics_ = std::make_unique<DaemonMetrics>(std::vector<std::string>{});
  api_ = std::make_unique<ApiService>(io_, config_, pool_secret_text(secret_), *backend_, events_,
                                      [this] { return backend_->master_endpoint(); });
  api_->http().add_post_route(std::string(kPeerMessagePath), link_->post_handler());
  serve_metrics(api_->http(), *metrics_);
  notifier_ = std::make_unique<SystemdNotifier>();
  keepalive_ = std::make_unique<WatchdogKeepalive>(io_, *notifier_);
}

HostDaemon::~HostDaemon() {
  *alive_ = false;
  // The order matters: no HTTP thread may deliver into a part being torn
  // down, and the membership driver calls this object back.
  api_.reset();
  keepalive_.reset();
  membership_.reset();
  link_.reset();
  backend_.reset();
  failover_.reset();
  persister_.reset();
  store_.reset();
  worker_.reset();
}

void HostDaemon::start() {
  spdlog::info("host {} ({}) starting: pool {}, heartbeat SR {}, {} hosts, VM driver {}",
               config_.self().name, config_.host_uuid, config_.pool_uuid,
               config_.heartbeat_sr.device, config_.hosts.size(), config_.vm_driver);
  if (const std::optional<std::string> why = fencer_->check()) {
    spdlog::warn("fencer not available: {}; this host will not take part in HA until it is", *why);
  }
  load_database();
  api_->start();
  spdlog::info("API listening on {}:{}", config_.api.listen.address, config_.api.listen.port);
  notifier_->ready();
  keepalive_->start();
  schedule_housekeeping();
}

void HostDaemon::load_database() {
  store_->load([this, alive = alive_](LoadOutcome outcome) {
    if (!*alive || loaded_) return;
    if (!outcome.ok()) {
      spdlog::error("pool database not loaded: {}; retrying", outcome.error);
      retry_timer_.expires_after(kRetryDelay);
      retry_timer_.async_wait([this, alive](const std::error_code& error) {
        if (!error && *alive) load_database();
      });
      return;
    }
    loaded_ = true;
    spdlog::info("pool database generation {} loaded from the {}", outcome.generation,
                 outcome.source);
    on_snapshot();
  });
}

void HostDaemon::on_status(const MembershipStatus& status) {
  const MembershipStatus before = status_;
  status_ = status;
  metrics_->set_ha_enabled(status.ha_on);
  metrics_->set_ha_generation(status.generation);
  metrics_->set_phase(status.ha_on ? std::optional<wire::Phase>(status.phase) : std::nullopt);
  metrics_->set_liveset(status.announced.epoch, status.announced.members.size());
  metrics_->set_master(status.is_master);
  metrics_->set_watchdog_armed(status.watchdog_armed);
  notifier_->status(status.ha_on
                        ? fmt::format("HA {} epoch {}{}", wire::phase_name(status.phase),
                                      status.announced.epoch, status.is_master ? " master" : "")
                        : "HA off: " + status.off_reason);

  // A host that left the liveset is reported by the master that saw it go.
  if (status.ha_on && status.is_master && before.ha_on &&
      before.announced.epoch < status.announced.epoch) {
    before.announced.members.for_each([&](HostIndex h) {
      if (!status.announced.members.contains(h)) {
        post_alert(api::kHaHostFailed.name, "Host", host_uuid(h),
                   fmt::format("host {} left the liveset (epoch {})", host_uuid(h),
                               status.announced.epoch));
      }
    });
  }
  const bool left = status.ha_on ? status.phase == wire::Phase::kLeft : status.left_cleanly;
  if (left && !vms_stopped_after_leave_) {
    // Left cleanly: the others count this host's VMs as stopped, so they
    // must be, before anything restarts them elsewhere.
    vms_stopped_after_leave_ = true;
    stop_all_vms([this](bool) {
      if (shutting_down_) finish_shutdown();
    });
  }
  update_roles();
  publish_record_events();
}

void HostDaemon::on_event(const ha::Event& event) {
  if (event.kind == ha::Event::Kind::kAlert) {
    // HA_HOST_FAILED is posted by the master, naming the failed host
    // (on_status); every engine raises it, without the host's uuid.
    if (event.name == api::kHaHostFailed.name) {
      spdlog::warn("{}", event.text);
      return;
    }
    post_alert(event.name, "Host", config_.host_uuid, event.text);
  } else if (event.kind == ha::Event::Kind::kFenced) {
    spdlog::critical("this host fences: {}", event.text);
  }
}

bool HostDaemon::should_write_database() const {
  if (!loaded_) return false;
  if (status_.ha_on) {
    return status_.is_master && status_.phase == wire::Phase::kMember &&
           status_.announced.master == config_.self_index();
  }
  const auto db = store_->database();
  return db && db->pool().master == config_.host_uuid;
}

void HostDaemon::update_roles() {
  if (!failover_) return;
  const bool ha_member = status_.ha_on && takes_part(status_.phase);
  const bool engine_master = status_.ha_on && status_.is_master &&
                             status_.phase == wire::Phase::kMember &&
                             status_.announced.master == config_.self_index();
  HostMembership membership;
  membership.announced = status_.announced;
  membership.incarnation = status_.incarnation;
  // A host shutting down runs no VM command: it stops its VMs, then leaves.
  membership.taking_part = ha_member && !shutting_down_;
  membership.master = engine_master;
  failover_->set_membership(membership);

  const bool writer = should_write_database();
  if (writer && !store_->is_master() && !becoming_master_) {
    become_database_master();
  } else if (!writer && (store_->is_master() || becoming_master_)) {
    spdlog::info("no longer the pool database's writer");
    becoming_master_ = false;
    store_->stop_being_master();
  }
}

void HostDaemon::become_database_master() {
  becoming_master_ = true;
  spdlog::info("taking over the pool database as master");
  store_->become_master(
      pool::MasterToken::for_elected_master(config_.host_uuid),
      [this, alive = alive_](StoreOutcome outcome) {
        if (!*alive || !becoming_master_) return;
        becoming_master_ = false;
        if (!outcome.ok()) {
          spdlog::error("pool database take-over failed: {}; retrying", outcome.error);
          retry_timer_.expires_after(kRetryDelay);
          retry_timer_.async_wait([this, alive](const std::error_code& error) {
            if (!error && *alive) update_roles();
          });
          return;
        }
        spdlog::info("pool database generation {} is ours to write", outcome.generation);
        start_coordinator_if_ready();
      });
}

void HostDaemon::on_needs_coordinator(std::uint64_t term) {
  coordinator_term_ = term;
  start_coordinator_if_ready();
}

void HostDaemon::start_coordinator_if_ready() {
  if (!coordinator_term_ || !store_->is_master()) return;
  const std::uint64_t term = *coordinator_term_;
  coordinator_term_.reset();
  const auto db = store_->database();
  if (!db) {
    failover_->coordinator_load_failed(term);
    return;
  }
  if (failover_->start_coordinator(term,
                                   failover::to_pool_snapshot(*db, failover::FailoverPolicy{}))) {
    spdlog::info("failover coordinator started on pool database generation {}",
                 store_->generation());
  }
}

void HostDaemon::on_snapshot() {
  metrics_->set_pool_database_generation(store_->generation());
  publish_record_events();
  update_roles();
}

void HostDaemon::publish_record_events() {
  const auto db = store_->database();
  if (!db || !backend_) return;
  const auto now = std::chrono::system_clock::now();
  for (api::ObjectEvent& event : watcher_.changes(api::ReadContext{*db, *backend_})) {
    events_.append(std::move(event), now);
  }
}

void HostDaemon::post_alert(const std::string& name, const std::string& cls,
                            const std::string& uuid, const std::string& text) {
  spdlog::warn("alert {}: {}", name, text);
  metrics_->count_alert(name);
  const api::AlertKind* kind = alert_kind(name);
  events_.post_message(api::Message{name, kind ? kind->priority : 3, cls, uuid, text},
                       std::chrono::system_clock::now());
}

void HostDaemon::schedule_housekeeping() {
  housekeeping_.expires_after(kHousekeepingInterval);
  housekeeping_.async_wait([this, alive = alive_](const std::error_code& error) {
    if (error || !*alive) return;
    if (loaded_ && !store_->is_master() && !becoming_master_) store_->refresh();
    metrics_->set_vms_running(driver_->running().size());
    publish_record_events();
    schedule_housekeeping();
  });
}

void HostDaemon::stop_all_vms(std::function<void(bool all_stopped)> finished) {
  const std::vector<std::string> running = driver_->running();
  if (running.empty()) {
    finished(true);
    return;
  }
  spdlog::info("stopping the {} VMs of this host", running.size());
  auto left = std::make_shared<std::size_t>(running.size());
  auto all_stopped = std::make_shared<bool>(true);
  for (const std::string& uuid : running) {
    driver_->stop(uuid, [uuid, left, all_stopped, finished, alive = alive_](vm::VmResult result) {
      if (!*alive) return;
      if (!result.ok) {
        spdlog::error("VM {} did not stop: {}", uuid, result.error);
        *all_stopped = false;
      }
      if (--*left == 0) finished(*all_stopped);
    });
  }
}

void HostDaemon::shutdown(std::function<void()> finished) {
  shutdown_finished_ = std::move(finished);
  shutting_down_ = true;
  notifier_->stopping();
  if (!status_.ha_on || !takes_part(status_.phase)) {
    finish_shutdown();
    return;
  }
  // The others restart this host's VMs as soon as a liveset without it is
  // committed, so they are stopped before it leaves, and the VM agent (and
  // coordinator) stop first so that nothing starts here meanwhile.
  update_roles();
  spdlog::info("stopping this host's VMs, then leaving the liveset");
  stop_all_vms([this, alive = alive_](bool all_stopped) {
    if (!*alive || !shutdown_finished_) return;
    if (!all_stopped) {
      // Leaving would let the others start a second copy. Stopping without
      // leaving makes this a host failure: the fencer, no longer kicked,
      // kills what is left, and the others restart the VMs after its
      // deadline.
      spdlog::critical("a VM did not stop; exiting without leaving the liveset, to be fenced");
      finish_shutdown();
      return;
    }
    leave_liveset();
  });
}

void HostDaemon::leave_liveset() {
  spdlog::info("leaving the liveset before stopping");
  if (const auto why = membership_->leave()) {
    spdlog::error("cannot leave the liveset: {}; stopping anyway", *why);
    finish_shutdown();
    return;
  }
  const Duration limit = status_.timing ? 2 * status_.timing->base : std::chrono::seconds(60);
  shutdown_timer_.expires_after(limit);
  shutdown_timer_.async_wait([this, alive = alive_](const std::error_code& error) {
    if (error || !*alive || !shutdown_finished_) return;
    spdlog::error("the liveset did not let this host leave in time; stopping anyway");
    finish_shutdown();
  });
}

void HostDaemon::finish_shutdown() {
  shutdown_timer_.cancel();
  if (!shutdown_finished_) return;
  auto finished = std::move(shutdown_finished_);
  shutdown_finished_ = nullptr;
  keepalive_->stop();
  api_->stop();
  finished();
}

std::string HostDaemon::host_uuid(HostIndex host) const {
  return directory_.uuid(host);
}

}  // namespace poolha::daemon

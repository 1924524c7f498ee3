#include "vm/libvirt/domain_worker.h"

#include <libvirt/virterror.h>
#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

#include "vm/libvirt/domain_template.h"
#include "vm/libvirt/libvirt_error.h"
#include "vm/libvirt/lifecycle_event.h"

namespace poolha::vm::libvirt {
namespace {

// Every domain this driver starts carries this metadata element, so a
// driver that starts afresh (a daemon restart) finds the VMs it ran.
constexpr const char* kMarkNamespace = "urn:poolha:vm";
constexpr const char* kMarkPrefix = "poolha";
constexpr const char* kMarkElement = "<vm/>";

// While libvirt stays unreachable, one warning a minute is enough.
constexpr auto kConnectWarningInterval = std::chrono::minutes(1);

}  // namespace

DomainWorker::DomainWorker(LibvirtDriverConfig config, std::shared_ptr<DomainTracker> tracker,
                           HaltReporter report_halt)
    : config_(std::move(config)),
      tracker_(std::move(tracker)),
      report_halt_(std::move(report_halt)),
      event_loop_(EventLoop::acquire()),
      work_(io_.get_executor()),
      channel_(std::make_shared<LoopChannel>(io_)),
      refresh_timer_(io_) {
  // The handlers run on libvirt's event loop thread and may do so after this
  // worker is gone: they hold only shared state, and the channel.
  auto on_lifecycle = [tracker = tracker_, report = report_halt_, uri = config_.uri](
                          const std::string& uuid, int event, int detail) {
    const std::optional<HaltCause> cause = tracker->lifecycle_event(uuid, event, detail);
    if (!cause) return;
    spdlog::info("libvirt: VM {} {} on {}: reported as a {}", uuid,
                 describe_lifecycle_event(event, detail), uri,
                 *cause == HaltCause::kGuestShutdown ? "guest shutdown" : "guest crash");
    report(uuid, *cause);
  };
  auto on_closed = [channel = channel_, this](std::uint64_t generation, const std::string& reason) {
    channel->post([this, generation, reason] { connection_closed(generation, reason); });
  };
  connection_ =
      std::make_unique<Connection>(config_.uri, std::move(on_lifecycle), std::move(on_closed));
  asio::post(io_, [this] { refresh(); });
  thread_ = std::thread([this] { io_.run(); });
}

DomainWorker::~DomainWorker() {
  closing_.store(true);
  channel_->close();
  asio::post(io_, [this] {
    refresh_timer_.cancel();
    for (auto& entry : stop_timers_) entry.second->cancel();
    queues_.clear();
    connection_->close();
  });
  work_.reset();
  thread_.join();
}

void DomainWorker::start(VmConfig vm, Complete done) {
  asio::post(io_, [this, vm = std::move(vm), done = std::move(done)] {
    enqueue(vm.uuid, [this, vm, done] { run_start(vm, done); });
  });
}

void DomainWorker::stop(std::string uuid, Complete done) {
  asio::post(io_, [this, uuid = std::move(uuid), done = std::move(done)] {
    enqueue(uuid, [this, uuid, done] { run_stop(uuid, done); });
  });
}

void DomainWorker::enqueue(const std::string& uuid, std::function<void()> operation) {
  if (closing_.load()) return;
  auto& queue = queues_[uuid];
  queue.push_back(std::move(operation));
  if (queue.size() == 1) run_next(uuid);
}

void DomainWorker::run_next(const std::string& uuid) {
  if (closing_.load()) return;
  const auto it = queues_.find(uuid);
  if (it == queues_.end()) return;
  // Moved out first: the operation can finish, and pop its own entry,
  // before it returns.
  const std::function<void()> operation = std::move(it->second.front());
  operation();
}

void DomainWorker::operation_finished(const std::string& uuid) {
  const auto it = queues_.find(uuid);
  if (it == queues_.end()) return;
  it->second.pop_front();
  if (it->second.empty()) {
    queues_.erase(it);
    return;
  }
  asio::post(io_, [this, uuid] { run_next(uuid); });
}

void DomainWorker::run_start(const VmConfig& vm, const Complete& done) {
  const std::optional<VmResult> result =
      with_connection("VM_START_FAILED", [&](virConnectPtr connection, bool) {
        return std::optional<VmResult>(start_domain(connection, vm));
      });
  tracker_->start_finished(vm.uuid, result->ok);
  if (!result->ok) spdlog::warn("libvirt: start of VM {} failed: {}", vm.uuid, result->error);
  done(*result);
  operation_finished(vm.uuid);
}

VmResult DomainWorker::start_domain(virConnectPtr connection, const VmConfig& vm) {
  DomainHandle domain = lookup(connection, vm.uuid);
  if (!domain) {
    const std::string xml = render_domain_xml(read_domain_template(config_.domain_template), vm);
    domain.reset(virDomainDefineXML(connection, xml.c_str()));
    if (!domain) throw last_libvirt_error("cannot define the domain of VM " + vm.uuid);
    spdlog::info("libvirt: defined domain '{}' for VM {}", virDomainGetName(domain.get()), vm.uuid);
  }
  tracker_->adopt(vm.uuid);
  const bool active = is_active(domain.get(), vm.uuid);
  mark_as_ours(domain.get(), vm.uuid, active);
  if (active) {
    spdlog::info("libvirt: VM {} already runs: nothing to start", vm.uuid);
    return VmResult{true, {}};
  }
  if (virDomainCreate(domain.get()) != 0) {
    throw last_libvirt_error("cannot start the domain of VM " + vm.uuid);
  }
  int state = VIR_DOMAIN_NOSTATE;
  int reason = 0;
  if (virDomainGetState(domain.get(), &state, &reason, 0) != 0) {
    throw last_libvirt_error("cannot read the state of VM " + vm.uuid + " after starting it");
  }
  if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED) {
    spdlog::info("libvirt: started VM {}", vm.uuid);
    return VmResult{true, {}};
  }
  // A failed start leaves nothing behind that could later run unannounced.
  tracker_->stop_requested(vm.uuid);
  const bool destroyed = virDomainDestroy(domain.get()) == 0;
  tracker_->stop_finished(vm.uuid, !destroyed);
  return VmResult{false, "VM_START_FAILED: the domain of VM " + vm.uuid + " is in state " +
                             std::to_string(state) + " after starting, not running" +
                             (destroyed ? "; destroyed it" : "; destroying it failed too")};
}

void DomainWorker::run_stop(const std::string& uuid, const Complete& done) {
  const std::optional<VmResult> result =
      with_connection("VM_STOP_FAILED", [&](virConnectPtr connection, bool repeated) {
        return begin_stop(connection, uuid, repeated);
      });
  if (result) {
    finish_stop(uuid, *result, done);
    return;
  }
  poll_stop(uuid, Clock::now() + config_.shutdown_grace, done);
}

std::optional<VmResult> DomainWorker::begin_stop(virConnectPtr connection, const std::string& uuid,
                                                 bool repeated) {
  DomainHandle domain = lookup(connection, uuid);
  if (!domain || !is_active(domain.get(), uuid)) {
    // A repeat after a lost connection finds the shutdown already done.
    if (repeated) return VmResult{true, {}};
    return VmResult{false, "VM_BAD_POWER_STATE: not running"};
  }
  tracker_->adopt(uuid);
  tracker_->stop_requested(uuid);
  if (virDomainShutdown(domain.get()) != 0) {
    spdlog::warn("libvirt: VM {} refused a clean shutdown ({}); destroying its domain", uuid,
                 virGetLastErrorMessage());
    if (virDomainDestroy(domain.get()) != 0) {
      throw last_libvirt_error("cannot destroy the domain of VM " + uuid);
    }
    return VmResult{true, {}};
  }
  spdlog::info("libvirt: asked VM {} to shut down; its domain is destroyed if it still runs in {}s",
               uuid, to_seconds(config_.shutdown_grace));
  return std::nullopt;
}

std::optional<VmResult> DomainWorker::check_stop(virConnectPtr connection, const std::string& uuid,
                                                 Clock::time_point deadline) {
  DomainHandle domain = lookup(connection, uuid);
  if (!domain || !is_active(domain.get(), uuid)) return VmResult{true, {}};
  if (Clock::now() < deadline) return std::nullopt;
  spdlog::warn("libvirt: VM {} did not shut down within {}s; destroying its domain", uuid,
               to_seconds(config_.shutdown_grace));
  if (virDomainDestroy(domain.get()) != 0) {
    throw last_libvirt_error("cannot destroy the domain of VM " + uuid);
  }
  return VmResult{true, {}};
}

void DomainWorker::poll_stop(const std::string& uuid, Clock::time_point deadline,
                             const Complete& done) {
  const std::optional<VmResult> result = with_connection(
      "VM_STOP_FAILED",
      [&](virConnectPtr connection, bool) { return check_stop(connection, uuid, deadline); });
  if (result) {
    finish_stop(uuid, *result, done);
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(io_, config_.stop_poll_interval);
  stop_timers_[uuid] = timer;
  timer->async_wait([this, uuid, deadline, done](const asio::error_code& error) {
    if (error || closing_.load()) return;
    stop_timers_.erase(uuid);
    poll_stop(uuid, deadline, done);
  });
}

void DomainWorker::finish_stop(const std::string& uuid, const VmResult& result,
                               const Complete& done) {
  if (result.ok) {
    spdlog::info("libvirt: stopped VM {}", uuid);
    tracker_->stop_finished(uuid, false);
  } else {
    spdlog::warn("libvirt: stop of VM {} failed: {}", uuid, result.error);
    // A domain that still runs will not stop because of this request; one
    // whose state is unknown keeps the request, so its stop is not a halt.
    const std::optional<bool> runs = still_runs(uuid);
    if (runs) tracker_->stop_finished(uuid, *runs);
  }
  done(result);
  operation_finished(uuid);
}

template <typename Operation>
std::optional<VmResult> DomainWorker::with_connection(const char* failure_code,
                                                      Operation&& operation) {
  const auto failure = [failure_code](const std::exception& e) {
    return VmResult{false, std::string(failure_code) + ": " + e.what()};
  };
  for (const bool repeated : {false, true}) {
    try {
      ensure_connected();
      return operation(connection_->get(), repeated);
    } catch (const LibvirtError& e) {
      if (!repeated && drop_dead_connection(e.what())) continue;
      return failure(e);
    } catch (const std::exception& e) {
      return failure(e);
    }
  }
  return VmResult{
      false, std::string(failure_code) + ": the connection to " + config_.uri + " dropped twice"};
}

void DomainWorker::ensure_connected() {
  if (connection_->is_open()) return;
  const bool first = connection_->generation() == 0;
  connection_->open();
  try {
    // Events of an earlier connection are lost: read the state afresh.
    std::set<std::string> active = list_our_active_domains(connection_->get());
    for (const std::string& uuid : tracker_->resync(std::move(active))) {
      spdlog::warn(
          "libvirt: VM {} stopped while the connection to {} was down; reported as a guest "
          "crash because its cause is unknown",
          uuid, config_.uri);
      report_halt_(uuid, HaltCause::kGuestCrash);
    }
  } catch (...) {
    // Open but not read afresh is not connected: the next attempt does both.
    connection_->close();
    throw;
  }
  last_connect_warning_.reset();
  spdlog::info("libvirt: {} {}", first ? "connected to" : "reconnected to", config_.uri);
}

bool DomainWorker::drop_dead_connection(const std::string& failure) {
  if (!connection_->is_open() || connection_->alive()) return false;
  spdlog::warn("libvirt: connection to {} lost ({}); reconnecting", config_.uri, failure);
  connection_->close();
  return true;
}

void DomainWorker::connection_closed(std::uint64_t generation, const std::string& reason) {
  if (closing_.load() || !connection_->is_open() || generation != connection_->generation()) {
    return;  // a notice about a connection already replaced
  }
  spdlog::warn("libvirt: connection to {} lost ({}); reconnecting", config_.uri, reason);
  connection_->close();
  schedule_refresh(Duration::zero());
}

void DomainWorker::refresh() {
  if (closing_.load()) return;
  try {
    if (connection_->is_open()) {
      const std::uint64_t listed_at = tracker_->version();
      // A listing that an event overtook is dropped; the next one counts.
      tracker_->replace_active(list_our_active_domains(connection_->get()), listed_at);
    } else {
      ensure_connected();
    }
    schedule_refresh(config_.refresh_interval);
  } catch (const std::exception& e) {
    drop_dead_connection(e.what());
    const Clock::time_point now = Clock::now();
    if (!last_connect_warning_ || now - *last_connect_warning_ >= kConnectWarningInterval) {
      spdlog::warn("libvirt: {}; trying again every {}s", e.what(),
                   to_seconds(config_.reconnect_interval));
      last_connect_warning_ = now;
    }
    schedule_refresh(config_.reconnect_interval);
  }
}

void DomainWorker::schedule_refresh(Duration delay) {
  refresh_timer_.expires_after(delay);
  refresh_timer_.async_wait([this](const asio::error_code& error) {
    if (!error) refresh();
  });
}

std::set<std::string> DomainWorker::list_our_active_domains(virConnectPtr connection) {
  virDomainPtr* listed = nullptr;
  const int count = virConnectListAllDomains(connection, &listed, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  if (count < 0) throw last_libvirt_error("cannot list the domains on " + config_.uri);
  std::vector<DomainHandle> domains;
  domains.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) domains.emplace_back(listed[i]);
  std::free(listed);

  std::set<std::string> ours;
  for (const DomainHandle& domain : domains) {
    const std::string uuid = domain_uuid(domain.get());
    if (tracker_->adopted(uuid) || carries_our_mark(domain.get(), uuid)) ours.insert(uuid);
  }
  return ours;
}

bool DomainWorker::carries_our_mark(virDomainPtr domain, const std::string& uuid) {
  char* element = virDomainGetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, kMarkNamespace, 0);
  if (element != nullptr) {
    std::free(element);
    return true;
  }
  const int code = last_libvirt_error_code();
  if (code == VIR_ERR_NO_DOMAIN_METADATA || code == VIR_ERR_NO_DOMAIN) return false;
  // One unreadable domain must not hide the others.
  spdlog::warn("libvirt: domain {} not counted as this host's VM: cannot read its metadata: {}",
               uuid, virGetLastErrorMessage());
  return false;
}

void DomainWorker::mark_as_ours(virDomainPtr domain, const std::string& uuid, bool active) {
  unsigned int flags = active ? static_cast<unsigned int>(VIR_DOMAIN_AFFECT_LIVE) : 0U;
  const int persistent = virDomainIsPersistent(domain);
  if (persistent < 0) throw last_libvirt_error("cannot tell whether VM " + uuid + " is persistent");
  if (persistent == 1) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, kMarkElement, kMarkPrefix,
                           kMarkNamespace, flags) != 0) {
    throw last_libvirt_error("cannot mark the domain of VM " + uuid + " as this driver's");
  }
}

DomainHandle DomainWorker::lookup(virConnectPtr connection, const std::string& uuid) {
  DomainHandle domain(virDomainLookupByUUIDString(connection, uuid.c_str()));
  if (!domain && last_libvirt_error_code() != VIR_ERR_NO_DOMAIN) {
    throw last_libvirt_error("cannot look up the domain of VM " + uuid);
  }
  return domain;
}

bool DomainWorker::is_active(virDomainPtr domain, const std::string& uuid) {
  const int active = virDomainIsActive(domain);
  if (active < 0) throw last_libvirt_error("cannot read the state of VM " + uuid);
  return active == 1;
}

std::optional<bool> DomainWorker::still_runs(const std::string& uuid) {
  try {
    if (!connection_->is_open()) return std::nullopt;
    const DomainHandle domain = lookup(connection_->get(), uuid);
    return domain && is_active(domain.get(), uuid);
  } catch (const LibvirtError&) {
    return std::nullopt;  // unknown is an answer here
  }
}

}  // namespace poolha::vm::libvirt

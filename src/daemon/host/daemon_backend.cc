// The pool backend over the daemon's parts: which part answers each call,
// and how their refusals become XenAPI errors.
#include "daemon/host/daemon_backend.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

#include <asio/steady_timer.hpp>

#include "api/xenapi_errors.h"
#include "failover/planner_input.h"
#include "failover/pool_mapping.h"
#include "ha/timing.h"
#include "planner/planner.h"

namespace poolha::daemon {

namespace {

using api::Outcome;
using api::XenApiError;

constexpr const char* kLifecycleNeedsHa =
    "VM start and shutdown run through the HA failover coordinator in this version; enable HA "
    "on the pool first";

XenApiError error_of(std::vector<std::string> description) {
  return XenApiError(std::move(description));
}

XenApiError value_not_supported(std::string_view field, std::string_view value,
                                std::string_view reason) {
  return error_of(
      {kValueNotSupported, std::string(field), std::string(value), std::string(reason)});
}

// The planner's picture of the pool with every host live: what the
// coordinator of a fully live pool would compute from the same database.
failover::PoolShapeInput shape_with_all_hosts_live(const pool::Database& db) {
  const failover::PoolSnapshot snapshot =
      failover::to_pool_snapshot(db, failover::FailoverPolicy{});
  return failover::shape_of(snapshot.hosts, snapshot.vms, HostSet::first_n(snapshot.hosts.size()));
}

failover::RestartPriority to_failover_priority(pool::RestartPriority priority) {
  switch (priority) {
    case pool::RestartPriority::kUnprotected:
      return failover::RestartPriority::kUnprotected;
    case pool::RestartPriority::kBestEffort:
      return failover::RestartPriority::kBestEffort;
    case pool::RestartPriority::kRestart:
      return failover::RestartPriority::kRestart;
  }
  return failover::RestartPriority::kUnprotected;
}

std::uint32_t to_failure_count(std::int64_t value) {
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(value, 0, std::numeric_limits<std::uint32_t>::max()));
}

// xapi spells power states in lower case in VM_BAD_POWER_STATE.
std::string lower_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

XenApiError store_failure(const StoreOutcome& outcome) {
  if (outcome.refused) {
    return api::errors::operation_not_allowed("the pool database refused the change: " +
                                              outcome.error);
  }
  return api::errors::internal_error("the pool database write failed: " + outcome.error);
}

}  // namespace

// What a coordinator refusal is about, to fill in the parameters xapi sends.
struct DaemonBackend::ErrorContext {
  std::string vm;
  std::string host;
  std::string expected_power;  // for VM_BAD_POWER_STATE
  std::string field;           // for INVALID_VALUE
  std::string value;
};

DaemonBackend::ErrorContext DaemonBackend::vm_context(std::string vm, std::string expected_power) {
  ErrorContext context;
  context.vm = std::move(vm);
  context.expected_power = std::move(expected_power);
  return context;
}

DaemonBackend::ErrorContext DaemonBackend::host_context(std::string host) {
  ErrorContext context;
  context.host = std::move(host);
  return context;
}

DaemonBackend::ErrorContext DaemonBackend::field_context(std::string field, std::string value) {
  ErrorContext context;
  context.field = std::move(field);
  context.value = std::move(value);
  return context;
}

// One enable_ha call: replies once, whichever of the membership driver's
// answer and the overall timeout comes first.
class DaemonBackend::EnableAttempt {
 public:
  EnableAttempt(asio::any_io_executor loop, api::Reply done)
      : timer(std::move(loop)), done_(std::move(done)) {}

  // True for the first caller only: that one finishes the attempt.
  bool begin_settling() { return !std::exchange(settling_, true); }
  void reply(Outcome outcome) {
    if (done_) std::exchange(done_, nullptr)(std::move(outcome));
  }

  asio::steady_timer timer;

 private:
  api::Reply done_;
  bool settling_ = false;
};

DaemonBackend::DaemonBackend(asio::any_io_executor loop, const DaemonConfig& config,
                             MembershipDriver& membership, PoolStore& store, VmFailover& failover,
                             DaemonBackendTimeouts timeouts)
    : loop_(std::move(loop)),
      config_(config),
      membership_(membership),
      store_(store),
      failover_(failover),
      timeouts_(timeouts),
      empty_database_(std::make_shared<const pool::Database>(config.pool_uuid, config.pool_name)) {}

DaemonBackend::~DaemonBackend() = default;

// ---- reads --------------------------------------------------------------------

const PoolHostConfig* DaemonBackend::configured_host(std::string_view uuid) const {
  const auto it = std::find_if(config_.hosts.begin(), config_.hosts.end(),
                               [uuid](const PoolHostConfig& h) { return h.uuid == uuid; });
  return it == config_.hosts.end() ? nullptr : &*it;
}

std::optional<Endpoint> DaemonBackend::master_endpoint() const {
  std::string master;
  const MembershipStatus& status = membership_.status();
  if (status.ha_on) {
    if (status.announced.master >= config_.hosts.size()) return std::nullopt;
    master = config_.hosts[status.announced.master].uuid;
  } else {
    const auto db = store_.database();
    if (!db) return std::nullopt;
    master = db->pool().master;
  }
  const PoolHostConfig* host = configured_host(master);
  if (host == nullptr) return std::nullopt;
  return host->api;
}

api::HostRole DaemonBackend::role() const {
  api::HostRole role;
  role.local_host_uuid = config_.host_uuid;
  const auto db = store_.database();
  role.serves_reads = db != nullptr;
  const MembershipStatus& status = membership_.status();
  if (status.ha_on) {
    const auto self = static_cast<HostIndex>(config_.self_index());
    role.is_master = status.is_master && status.announced.members.contains(self);
  } else {
    role.is_master = db != nullptr && db->pool().master == config_.host_uuid;
  }
  if (const std::optional<Endpoint> master = master_endpoint()) {
    role.master_address = master->address;
  }
  return role;
}

std::shared_ptr<const pool::Database> DaemonBackend::database() const {
  auto db = store_.database();
  return db ? db : empty_database_;
}

std::optional<api::HostHaState> DaemonBackend::host_ha_state(std::string_view host_uuid) const {
  if (!ha_on()) return std::nullopt;
  const PoolHostConfig* host = configured_host(host_uuid);
  if (host == nullptr) return std::nullopt;
  const auto index = static_cast<HostIndex>(host - config_.hosts.data());
  const auto self = static_cast<HostIndex>(config_.self_index());
  const std::vector<HostReachability> seen = membership_.hosts();
  const auto entry = std::find_if(seen.begin(), seen.end(),
                                  [index](const HostReachability& r) { return r.host == index; });
  if (entry == seen.end()) return std::nullopt;

  api::HostHaState state;
  state.live = entry->live;
  if (entry->statefile) state.statefile_srs.push_back(config_.heartbeat_sr.uuid);
  // Only this host's view is known here: the peers this host hears, and for
  // another host, this host when the two hear each other.
  if (index == self) {
    for (const HostReachability& r : seen) {
      if (r.host != self && r.heartbeat && r.host < config_.hosts.size()) {
        state.network_peers.push_back(config_.hosts[r.host].uuid);
      }
    }
  } else if (entry->heartbeat) {
    state.network_peers.push_back(config_.host_uuid);
  }
  return state;
}

std::int64_t DaemonBackend::max_host_failures_to_tolerate() const {
  if (const failover::Coordinator* coordinator = failover_.coordinator()) {
    return coordinator->max_failures_to_tolerate();
  }
  const auto db = store_.database();
  if (!db) return 0;
  return planner::max_host_failures_to_tolerate(shape_with_all_hosts_live(*db).shape);
}

bool DaemonBackend::failover_plan_exists(std::int64_t host_failures) const {
  const std::uint32_t failures = to_failure_count(host_failures);
  if (const failover::Coordinator* coordinator = failover_.coordinator()) {
    return coordinator->plan_exists_for(failures);
  }
  const auto db = store_.database();
  if (!db) return failures == 0;
  const failover::PoolShapeInput input = shape_with_all_hosts_live(*db);
  // As the coordinator: a protected VM that cannot move is covered by no plan.
  if (input.non_agile_protected > 0 && failures > 0) return false;
  return planner::plan_exists_for(input.shape, failures).exists;
}

// ---- helpers for mutations ------------------------------------------------------

std::optional<XenApiError> DaemonBackend::cannot_write() const {
  if (store_.is_master()) return std::nullopt;
  const api::HostRole current = role();
  if (!current.is_master) {
    if (current.master_address.empty()) return api::errors::host_in_emergency_mode();
    return api::errors::host_is_slave(current.master_address);
  }
  return api::errors::operation_not_allowed(
      "this host is taking over the pool database as master; try again shortly");
}

void DaemonBackend::persist_and_reply(std::vector<pool::Change> changes, api::Reply done) {
  store_.persist(std::move(changes), [alive = std::weak_ptr<int>(alive_),
                                      done = std::move(done)](const StoreOutcome& outcome) {
    if (alive.expired()) return;
    done(outcome.ok() ? Outcome::done() : Outcome::failure(store_failure(outcome)));
  });
}

void DaemonBackend::act_and_reply(const CoordinatorAction& action, ErrorContext context,
                                  api::Reply done) {
  failover_.act(action, [this, alive = std::weak_ptr<int>(alive_), context = std::move(context),
                         done = std::move(done)](const failover::ApiResult& result) {
    if (alive.expired()) return;
    done(result.ok ? Outcome::done() : Outcome::failure(to_xenapi_error(result.error, context)));
  });
}

XenApiError DaemonBackend::to_xenapi_error(const std::string& code,
                                           const ErrorContext& context) const {
  const auto db = database();
  const pool::Vm* vm = context.vm.empty() ? nullptr : db->find_vm(context.vm);
  if (code == api::errors::kUuidInvalid) {
    return context.vm.empty() ? api::errors::uuid_invalid("host", context.host)
                              : api::errors::uuid_invalid("VM", context.vm);
  }
  if (code == api::errors::kHandleInvalid) return api::errors::handle_invalid("host", context.host);
  if (code == api::errors::kInvalidValue) {
    return api::errors::invalid_value(context.field, context.value);
  }
  if (code == api::errors::kVmBadPowerState) {
    const std::string actual =
        vm == nullptr ? "unknown" : lower_case(pool::to_string(vm->power_state));
    return error_of({code, context.vm, context.expected_power, actual});
  }
  if (code == api::errors::kHostOffline || code == api::errors::kHostDisabled) {
    return error_of({code, context.host});
  }
  if (code == api::errors::kHostNotEnoughFreeMemory) {
    const std::int64_t needed = vm == nullptr ? 0 : vm->memory_static_max;
    std::int64_t available = 0;
    if (!context.host.empty() && db->find_host(context.host) != nullptr) {
      available = db->free_memory(context.host);
    } else {
      for (const auto& entry : db->hosts()) {
        available = std::max(available, db->free_memory(entry.first));
      }
    }
    return error_of({code, std::to_string(needed), std::to_string(available)});
  }
  if (code == api::errors::kHaOperationWouldBreakFailoverPlan) return error_of({code});
  if (code == kNotMasterError) {
    const api::HostRole current = role();
    if (current.master_address.empty()) return api::errors::host_in_emergency_mode();
    return api::errors::host_is_slave(current.master_address);
  }
  if (code == kCoordinatorStartingError) {
    return api::errors::operation_not_allowed(
        "this host is master but the HA coordinator is still loading the pool database; try "
        "again shortly");
  }
  if (code == kMasterLostError) {
    return api::errors::internal_error(
        "this host lost the master role before the change was known to be on disk: it may or "
        "may not have taken effect");
  }
  return api::errors::internal_error("the HA coordinator refused the operation: " + code);
}

// ---- HA on and off ------------------------------------------------------------------

void DaemonBackend::enable_ha(api::EnableHaRequest request, api::Reply done) {
  const auto db = store_.database();
  if (ha_on() || (db && db->pool().ha_enabled)) {
    return done(Outcome::failure(error_of({api::errors::kHaIsEnabled})));
  }
  for (const std::string& sr : request.heartbeat_sr_uuids) {
    if (sr != config_.heartbeat_sr.uuid) {
      return done(Outcome::failure(value_not_supported(
          "heartbeat_srs", sr,
          "only the heartbeat SR every host is configured with can hold the statefile: " +
              config_.heartbeat_sr.uuid + " (" + config_.heartbeat_sr.name_label + ")")));
    }
  }
  if (std::optional<XenApiError> refusal = cannot_write()) {
    return done(Outcome::failure(std::move(*refusal)));
  }

  // T: the request's, else the pool's persistent one (the configured
  // default until an enable sets another).
  std::int64_t seconds = db->pool().ha_timeout;
  const auto timeout = request.configuration.find(pool::kHaConfigTimeoutKey);
  if (timeout != request.configuration.end()) {
    const std::string& text = timeout->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size()) {
      return done(Outcome::failure(api::errors::invalid_value("timeout", text)));
    }
  }
  const Duration base = std::chrono::seconds(seconds);
  const auto timing =
      ha::make_timing(base, {}, ha::EnvironmentBounds{config_.clock_drift, config_.fence_latency});
  if (const auto* unsafe = std::get_if<std::string>(&timing)) {
    return done(Outcome::failure(value_not_supported("timeout", std::to_string(seconds), *unsafe)));
  }

  // The pool record says HA is on before any host acts on it, so a master
  // elected meanwhile knows the statefile is in use.
  pool::SetPoolFields fields;
  fields.ha_enabled = true;
  fields.ha_configuration = request.configuration;
  fields.ha_timeout = seconds;
  fields.ha_statefiles = std::vector<std::string>{config_.heartbeat_sr.uuid};
  auto attempt = std::make_shared<EnableAttempt>(loop_, std::move(done));
  store_.persist({std::move(fields)}, [this, alive = std::weak_ptr<int>(alive_), attempt,
                                       base](const StoreOutcome& outcome) {
    if (alive.expired()) return;
    if (!outcome.ok()) return attempt->reply(Outcome::failure(store_failure(outcome)));
    const Duration limit = base * timeouts_.enable_timeouts;
    attempt->timer.expires_after(limit);
    attempt->timer.async_wait([this, alive, attempt, limit](const std::error_code& error) {
      if (error || alive.expired()) return;
      finish_enable(
          attempt,
          "this host did not join an HA liveset within " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limit).count()) +
              " s");
    });
    membership_.enable(base, [this, alive, attempt](const std::optional<std::string>& error) {
      if (alive.expired()) return;
      finish_enable(attempt, error);
    });
  });
}

void DaemonBackend::finish_enable(const std::shared_ptr<EnableAttempt>& attempt,
                                  const std::optional<std::string>& error) {
  if (!attempt->begin_settling()) return;
  attempt->timer.cancel();
  if (!error) return attempt->reply(Outcome::done());
  std::string reason = *error;
  // A host still on its way in leaves again, so the hosts and the pool
  // record agree that HA is off.
  if (ha_on()) {
    if (const std::optional<std::string> refused = membership_.disable()) {
      reason += "; stopping HA on this host again was refused: " + *refused;
    }
  }
  pool::SetPoolFields back;
  back.ha_enabled = false;
  back.ha_statefiles = std::vector<std::string>{};
  store_.persist({std::move(back)}, [alive = std::weak_ptr<int>(alive_), attempt,
                                     reason](const StoreOutcome& outcome) {
    if (alive.expired()) return;
    std::string text = reason;
    if (!outcome.ok())
      text += "; resetting ha_enabled in the pool database failed: " + outcome.error;
    attempt->reply(Outcome::failure(error_of({kHaFailedToFormLiveset, text})));
  });
}

void DaemonBackend::disable_ha(api::Reply done) {
  const auto db = store_.database();
  const bool recorded = db && db->pool().ha_enabled;
  if (!ha_on() && !recorded) {
    return done(Outcome::failure(error_of({api::errors::kHaNotEnabled})));
  }
  const MembershipStatus& status = membership_.status();
  const Duration base = status.timing ? status.timing->base
                        : db          ? Duration(std::chrono::seconds(db->pool().ha_timeout))
                                      : config_.default_ha_timeout;
  if (ha_on()) {
    if (const std::optional<std::string> refused = membership_.disable()) {
      return done(Outcome::failure(
          api::errors::operation_not_allowed("HA cannot be disabled from this host: " + *refused)));
    }
  }
  // The record is written by the master HA leaves behind: this host once its
  // engine is gone and it holds the pool database's writer again.
  wait_to_persist_disable(std::move(done),
                          std::chrono::steady_clock::now() + base * timeouts_.enable_timeouts);
}

void DaemonBackend::wait_to_persist_disable(api::Reply done,
                                            std::chrono::steady_clock::time_point deadline) {
  if (!ha_on() && store_.is_master()) {
    pool::SetPoolFields fields;
    fields.ha_enabled = false;
    fields.ha_statefiles = std::vector<std::string>{};
    return persist_and_reply({std::move(fields)}, std::move(done));
  }
  if (std::chrono::steady_clock::now() >= deadline) {
    return done(Outcome::failure(api::errors::internal_error(
        ha_on() ? "HA is still on for this host after the disable was requested"
                : "HA is off, but this host did not become the pool database's writer to record "
                  "it; ha_enabled is still set")));
  }
  auto timer = std::make_shared<asio::steady_timer>(loop_, timeouts_.disable_poll);
  timer->async_wait([this, alive = std::weak_ptr<int>(alive_), timer, done = std::move(done),
                     deadline](const std::error_code&) mutable {
    if (alive.expired()) return;
    wait_to_persist_disable(std::move(done), deadline);
  });
}

void DaemonBackend::set_ha_host_failures_to_tolerate(std::int64_t value, api::Reply done) {
  const std::uint32_t target = to_failure_count(value);
  if (ha_on()) {
    return act_and_reply(
        [target](failover::Coordinator& coordinator, TimePoint now) {
          return coordinator.set_failures_to_tolerate(now, target);
        },
        field_context("ha_host_failures_to_tolerate", std::to_string(value)), std::move(done));
  }
  if (std::optional<XenApiError> refusal = cannot_write()) {
    return done(Outcome::failure(std::move(*refusal)));
  }
  // The coordinator's rule, for a pool whose hosts are all live.
  const auto db = store_.database();
  const failover::PoolShapeInput input = shape_with_all_hosts_live(*db);
  const std::uint32_t max = planner::max_host_failures_to_tolerate(input.shape);
  const auto plan_exists_for = static_cast<std::uint32_t>(db->pool().ha_plan_exists_for);
  if (!db->pool().ha_allow_overcommit && target > plan_exists_for && target > max) {
    return done(Outcome::failure(error_of({api::errors::kHaOperationWouldBreakFailoverPlan})));
  }
  pool::SetPoolFields fields;
  fields.ha_host_failures_to_tolerate = value;
  fields.ha_plan_exists_for = std::min(target, max);
  fields.ha_overcommitted = max < target || input.non_agile_protected > 0;
  persist_and_reply({std::move(fields)}, std::move(done));
}

void DaemonBackend::set_ha_allow_overcommit(bool value, api::Reply done) {
  if (std::optional<XenApiError> refusal = cannot_write()) {
    return done(Outcome::failure(std::move(*refusal)));
  }
  pool::SetPoolFields fields;
  fields.ha_allow_overcommit = value;
  persist_and_reply({std::move(fields)}, std::move(done));
}

// ---- VMs ----------------------------------------------------------------------------

void DaemonBackend::start_vm(api::StartVmRequest request, api::Reply done) {
  if (request.start_paused) {
    return done(Outcome::failure(api::errors::operation_not_allowed(
        "starting a VM paused is not supported: VMs are started running")));
  }
  if (!ha_on()) {
    return done(Outcome::failure(error_of({api::errors::kHaNotEnabled, kLifecycleNeedsHa})));
  }
  std::optional<HostIndex> on;
  if (request.host_uuid) {
    const std::optional<HostIndex> index =
        failover::HostDirectory::of(*database()).index(*request.host_uuid);
    if (!index)
      return done(Outcome::failure(api::errors::uuid_invalid("host", *request.host_uuid)));
    on = *index;
  }
  ErrorContext context = vm_context(request.vm_uuid, "halted");
  context.host = request.host_uuid.value_or("");
  start_when_reported(request.vm_uuid, on, std::move(context),
                      std::chrono::steady_clock::now() + timeouts_.start_report_wait,
                      std::move(done));
}

void DaemonBackend::start_when_reported(std::string vm_uuid, std::optional<HostIndex> on,
                                        ErrorContext context,
                                        std::chrono::steady_clock::time_point deadline,
                                        api::Reply done) {
  failover_.act(
      [vm_uuid, on](failover::Coordinator& coordinator, TimePoint now) {
        return coordinator.start_vm(now, vm_uuid, on);
      },
      [this, alive = std::weak_ptr<int>(alive_), vm_uuid, on, context = std::move(context),
       deadline, done = std::move(done)](const failover::ApiResult& result) mutable {
        if (alive.expired()) return;
        const failover::Coordinator* coordinator = failover_.coordinator();
        const bool reports_missing =
            coordinator != nullptr && (on ? coordinator->is_live(*on) && !coordinator->reported(*on)
                                          : !coordinator->every_host_reported());
        const bool placement_refused = result.error == api::errors::kHostOffline ||
                                       result.error == api::errors::kHostNotEnoughFreeMemory;
        if (!result.ok && placement_refused && reports_missing &&
            std::chrono::steady_clock::now() < deadline) {
          auto timer = std::make_shared<asio::steady_timer>(loop_, std::chrono::milliseconds(250));
          timer->async_wait([this, alive, timer, vm_uuid = std::move(vm_uuid), on,
                             context = std::move(context), deadline,
                             done = std::move(done)](const std::error_code&) mutable {
            if (alive.expired()) return;
            start_when_reported(std::move(vm_uuid), on, std::move(context), deadline,
                                std::move(done));
          });
          return;
        }
        done(result.ok ? Outcome::done()
                       : Outcome::failure(to_xenapi_error(result.error, context)));
      });
}

void DaemonBackend::shutdown_vm(std::string vm_uuid, api::Reply done) {
  if (!ha_on()) {
    return done(Outcome::failure(error_of({api::errors::kHaNotEnabled, kLifecycleNeedsHa})));
  }
  ErrorContext context = vm_context(vm_uuid, "running");
  act_and_reply(
      [vm = std::move(vm_uuid)](failover::Coordinator& coordinator, TimePoint now) {
        return coordinator.shutdown_vm(now, vm);
      },
      std::move(context), std::move(done));
}

void DaemonBackend::clean_shutdown_vm(std::string vm_uuid, api::Reply done) {
  shutdown_vm(std::move(vm_uuid), std::move(done));
}

void DaemonBackend::hard_shutdown_vm(std::string vm_uuid, api::Reply done) {
  shutdown_vm(std::move(vm_uuid), std::move(done));
}

void DaemonBackend::change_vm(const std::string& vm_uuid,
                              const std::function<void(pool::Vm&)>& change, api::Reply done) {
  if (std::optional<XenApiError> refusal = cannot_write()) {
    return done(Outcome::failure(std::move(*refusal)));
  }
  const pool::Vm* vm = store_.database()->find_vm(vm_uuid);
  if (vm == nullptr) return done(Outcome::failure(api::errors::uuid_invalid("VM", vm_uuid)));
  pool::Vm changed = *vm;
  change(changed);
  persist_and_reply({pool::UpsertVm{std::move(changed)}}, std::move(done));
}

void DaemonBackend::set_vm_ha_restart_priority(std::string vm_uuid, pool::RestartPriority priority,
                                               api::Reply done) {
  if (ha_on()) {
    ErrorContext context = vm_context(vm_uuid, "");
    return act_and_reply(
        [vm = std::move(vm_uuid), wanted = to_failover_priority(priority)](
            failover::Coordinator& coordinator, TimePoint now) {
          return coordinator.set_restart_priority(now, vm, wanted);
        },
        std::move(context), std::move(done));
  }
  // ha_always_run follows the priority as the coordinator sets it: protected
  // once it runs (or was started to run), never without "restart".
  change_vm(
      vm_uuid,
      [priority](pool::Vm& vm) {
        vm.ha_restart_priority = priority;
        vm.ha_always_run = priority == pool::RestartPriority::kRestart &&
                           (pool::occupies_host_memory(vm) || vm.ha_always_run);
      },
      std::move(done));
}

void DaemonBackend::set_vm_order(std::string vm_uuid, std::int64_t order, api::Reply done) {
  if (ha_on()) {
    ErrorContext context = field_context("order", std::to_string(order));
    context.vm = vm_uuid;
    return act_and_reply(
        [vm = std::move(vm_uuid), order](failover::Coordinator& coordinator, TimePoint now) {
          return coordinator.set_order(now, vm, order);
        },
        std::move(context), std::move(done));
  }
  change_vm(
      vm_uuid, [order](pool::Vm& vm) { vm.order = order; }, std::move(done));
}

void DaemonBackend::set_vm_start_delay(std::string vm_uuid, std::int64_t seconds, api::Reply done) {
  if (ha_on()) {
    ErrorContext context = field_context("start_delay", std::to_string(seconds));
    context.vm = vm_uuid;
    return act_and_reply(
        [vm = std::move(vm_uuid), seconds](failover::Coordinator& coordinator, TimePoint now) {
          return coordinator.set_start_delay(now, vm, std::chrono::seconds(seconds));
        },
        std::move(context), std::move(done));
  }
  change_vm(
      vm_uuid, [seconds](pool::Vm& vm) { vm.start_delay = seconds; }, std::move(done));
}

// ---- hosts ----------------------------------------------------------------------------

void DaemonBackend::set_host_enabled(std::string host_uuid, bool enabled, api::Reply done) {
  if (std::optional<XenApiError> refusal = cannot_write()) {
    return done(Outcome::failure(std::move(*refusal)));
  }
  const pool::Host* host = store_.database()->find_host(host_uuid);
  if (host == nullptr) return done(Outcome::failure(api::errors::uuid_invalid("host", host_uuid)));
  pool::Host changed = *host;
  changed.enabled = enabled;
  // The database first, then the coordinator, which places VMs by it.
  store_.persist({pool::UpsertHost{std::move(changed)}},
                 [this, alive = std::weak_ptr<int>(alive_), host_uuid, enabled,
                  done = std::move(done)](const StoreOutcome& outcome) {
                   if (alive.expired()) return;
                   if (!outcome.ok()) return done(Outcome::failure(store_failure(outcome)));
                   if (failover_.coordinator() == nullptr) return done(Outcome::done());
                   const std::optional<HostIndex> index =
                       failover::HostDirectory::of(*database()).index(host_uuid);
                   if (!index) return done(Outcome::done());
                   act_and_reply(
                       [host = *index, enabled](failover::Coordinator& coordinator, TimePoint now) {
                         return coordinator.set_host_enabled(now, host, enabled);
                       },
                       host_context(host_uuid), done);
                 });
}

void DaemonBackend::disable_host(std::string host_uuid, api::Reply done) {
  set_host_enabled(std::move(host_uuid), false, std::move(done));
}

void DaemonBackend::enable_host(std::string host_uuid, api::Reply done) {
  set_host_enabled(std::move(host_uuid), true, std::move(done));
}

void DaemonBackend::evacuate_host(std::string host_uuid, api::Reply done) {
  const auto db = database();
  if (db->find_host(host_uuid) == nullptr) {
    return done(Outcome::failure(api::errors::uuid_invalid("host", host_uuid)));
  }
  const std::size_t resident = db->vms_occupying(host_uuid).size();
  if (resident == 0) return done(Outcome::done());
  done(Outcome::failure(api::errors::operation_not_allowed(
      "host.evacuate needs live migration, which this version does not support; shut down the " +
      std::to_string(resident) + " VM(s) on the host first")));
}

// ---- this host only ----------------------------------------------------------------

void DaemonBackend::emergency_ha_disable(bool soft, api::Reply done) {
  // This host's engine stops until HA is enabled again or the daemon
  // restarts: every emergency disable is soft here.
  static_cast<void>(soft);
  const bool was_on = ha_on();
  if (const std::optional<std::string> refused = membership_.emergency_disable()) {
    if (!was_on) {
      return done(Outcome::failure(error_of({api::errors::kHaNotEnabled, *refused})));
    }
    return done(Outcome::failure(api::errors::operation_not_allowed(*refused)));
  }
  done(Outcome::done());
}

void DaemonBackend::ha_disarm_fencing(api::Reply done) {
  const bool was_on = ha_on();
  if (const std::optional<std::string> refused = membership_.disarm_fencing()) {
    if (!was_on) {
      return done(Outcome::failure(error_of({api::errors::kHaNotEnabled, *refused})));
    }
    return done(Outcome::failure(api::errors::operation_not_allowed(*refused)));
  }
  done(Outcome::done());
}

}  // namespace poolha::daemon

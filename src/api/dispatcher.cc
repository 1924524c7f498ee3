#include "api/dispatcher.h"

#include <algorithm>
#include <stdexcept>

#include "api/api_methods.h"
#include "api/xenapi_errors.h"
#include "common/check.h"

namespace poolha::api {
namespace {

// Whether a call with this route runs on this host.
bool runs_here(Route route, const HostRole& role) {
  if (role.is_master || route == Route::kLocal) return true;
  return route == Route::kRead && role.serves_reads;
}

}  // namespace

Dispatcher::Dispatcher(DispatcherConfig config, PoolBackend& backend, EventLog& events,
                       MasterForwarder* forwarder, ApiClocks clocks)
    : config_(std::move(config)),
      backend_(backend),
      forwarder_(forwarder),
      clocks_(std::move(clocks)),
      sessions_(config_.users, config_.pool_secret, config_.sessions),
      events_(events, backend_, sessions_, clocks_, config_.max_event_wait) {
  if (config_.slave_policy == SlavePolicy::kForward && forwarder_ == nullptr) {
    throw std::invalid_argument("forwarding calls to the master needs a MasterForwarder");
  }
  if (config_.max_event_wait <= Duration::zero()) {
    throw std::invalid_argument("the longest event.from wait must be positive");
  }
  add_session_methods(methods_, sessions_, events_, clocks_);
  add_system_methods(methods_);
  add_class_methods(methods_, backend_);
  add_pool_methods(methods_, backend_);
  add_vm_methods(methods_, backend_);
  add_host_methods(methods_, backend_);
  add_event_methods(methods_, events_);
}

Dispatcher::~Dispatcher() = default;

void Dispatcher::dispatch(const RpcCall& call, Reply reply) {
  // A handler may reply and must not throw afterwards; the flag proves it.
  auto replied = std::make_shared<bool>(false);
  Reply once = [replied, reply = std::move(reply)](Outcome outcome) {
    POOLHA_CHECK(!*replied, "an API call answered twice");
    *replied = true;
    reply(std::move(outcome));
  };
  try {
    check_and_run(call, once);
  } catch (const XenApiError& error) {
    POOLHA_CHECK(!*replied, "an API handler failed after answering");
    once(Outcome::failure(error));
  } catch (const std::exception& error) {
    POOLHA_CHECK(!*replied, "an API handler failed after answering");
    once(Outcome::failure(errors::internal_error(error.what())));
  }
}

void Dispatcher::check_and_run(const RpcCall& call, const Reply& reply) {
  POOLHA_CHECK(call.params.is_array(), "call parameters must be an array");
  const MethodSpec* method = methods_.find(call.method);
  if (method == nullptr) throw errors::message_method_unknown(call.method);
  check_parameter_count(*method, call.params);

  std::string session_ref;
  if (method->takes_session) {
    const nlohmann::json& session = call.params.at(0);
    if (!session.is_string()) {
      throw errors::session_invalid(
          session.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    session_ref = session.get<std::string>();
    if (!sessions_.touch(session_ref, clocks_.monotonic())) {
      throw errors::session_invalid(session_ref);
    }
  }
  check_parameter_types(*method, call.params);

  const HostRole role = backend_.role();
  if (!runs_here(method->route, role)) {
    send_to_master(role, *method, call, reply);
    return;
  }
  const CheckedCall checked =
      resolve_call(*method, call.params, std::move(session_ref), backend_.database());
  method->handler(checked, reply);
}

void Dispatcher::send_to_master(const HostRole& role, const MethodSpec& method, const RpcCall& call,
                                const Reply& reply) {
  if (role.master_address.empty()) throw errors::host_in_emergency_mode();
  if (config_.slave_policy == SlavePolicy::kRefuse) {
    throw errors::host_is_slave(role.master_address);
  }
  forwarder_->forward(
      ForwardedCall{role.master_address, call.method, call.params, method.takes_session}, reply);
}

void Dispatcher::poll_timers() {
  const TimePoint now = clocks_.monotonic();
  // Sessions with a waiting call are held and never expire, so ending
  // sessions here leaves no event.from call without its session.
  sessions_.expire_idle(now);
  events_.poll_timers(now);
}

std::optional<TimePoint> Dispatcher::next_deadline() const {
  const std::optional<TimePoint> sessions = sessions_.next_expiry();
  const std::optional<TimePoint> events = events_.next_deadline();
  if (!sessions) return events;
  if (!events) return sessions;
  return std::min(*sessions, *events);
}

}  // namespace poolha::api

#include "vm/libvirt/libvirt_connection.h"

#include <libvirt/virterror.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <memory>
#include <utility>

#include "vm/libvirt/libvirt_error.h"

namespace poolha::vm::libvirt {
namespace {

// A remote connection is probed every 5 s when idle and declared dead after
// 3 unanswered probes, so a daemon that went away is noticed within about
// 20 s even when the driver makes no call.
constexpr int kKeepAliveIntervalSeconds = 5;
constexpr unsigned kKeepAliveMissedProbes = 3;

struct LifecycleContext {
  Connection::LifecycleHandler handler;
};

// libvirt calls this from C: no exception may leave it.
int on_lifecycle_event(virConnectPtr, virDomainPtr domain, int event, int detail, void* opaque) {
  try {
    static_cast<LifecycleContext*>(opaque)->handler(domain_uuid(domain), event, detail);
  } catch (const std::exception& e) {
    spdlog::error("libvirt: lifecycle event {}/{} not handled: {}", event, detail, e.what());
  }
  return 0;
}

void free_lifecycle_context(void* opaque) {
  delete static_cast<LifecycleContext*>(opaque);
}

// libvirt takes every domain event callback as one generic type and calls it
// with the signature of the event it was registered for. The detour through
// void (*)() is the form GCC accepts as a deliberate change of function type.
virConnectDomainEventGenericCallback as_generic(virConnectDomainEventCallback callback) {
  return reinterpret_cast<virConnectDomainEventGenericCallback>(
      reinterpret_cast<void (*)()>(callback));
}

}  // namespace

struct Connection::ClosedContext {
  ClosedHandler handler;
  std::uint64_t generation;
};

// libvirt calls this from C: no exception may leave it.
void Connection::on_closed_notice(virConnectPtr, int reason, void* opaque) {
  const auto* context = static_cast<const ClosedContext*>(opaque);
  try {
    context->handler(context->generation, describe_close_reason(reason));
  } catch (const std::exception& e) {
    spdlog::error("libvirt: notice of a closed connection not handled: {}", e.what());
  }
}

Connection::Connection(std::string uri, LifecycleHandler on_lifecycle, ClosedHandler on_closed)
    : uri_(std::move(uri)),
      on_lifecycle_(std::move(on_lifecycle)),
      on_closed_(std::move(on_closed)) {}

Connection::~Connection() {
  close();
}

void Connection::open() {
  ConnectionHandle connection(virConnectOpen(uri_.c_str()));
  if (!connection) throw last_libvirt_error("cannot connect to libvirt at " + uri_);

  // Local drivers (test:///) have no keepalive: they cannot lose their peer.
  if (virConnectSetKeepAlive(connection.get(), kKeepAliveIntervalSeconds, kKeepAliveMissedProbes) <
          0 &&
      last_libvirt_error_code() != VIR_ERR_NO_SUPPORT) {
    throw last_libvirt_error("cannot enable keepalive probes on " + uri_);
  }

  // libvirt owns a context only once its registration succeeded.
  auto lifecycle = std::make_unique<LifecycleContext>(LifecycleContext{on_lifecycle_});
  const int callback = virConnectDomainEventRegisterAny(
      connection.get(), nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE, as_generic(on_lifecycle_event),
      lifecycle.get(), free_lifecycle_context);
  if (callback < 0) throw last_libvirt_error("cannot subscribe to domain events on " + uri_);
  lifecycle.release();

  auto closed = std::make_unique<ClosedContext>(ClosedContext{on_closed_, generation_ + 1});
  if (virConnectRegisterCloseCallback(connection.get(), on_closed_notice, closed.get(), nullptr) !=
      0) {
    const LibvirtError error = last_libvirt_error("cannot watch the connection to " + uri_);
    virConnectDomainEventDeregisterAny(connection.get(), callback);
    throw error;
  }

  connection_ = std::move(connection);
  lifecycle_callback_ = callback;
  closed_context_ = std::move(closed);
  ++generation_;
}

virConnectPtr Connection::get() const {
  if (!connection_) throw LibvirtError("not connected to libvirt at " + uri_, VIR_ERR_NO_CONNECT);
  return connection_.get();
}

bool Connection::alive() const {
  return connection_ && virConnectIsAlive(connection_.get()) == 1;
}

void Connection::close() {
  if (!connection_) return;
  // The connection is being thrown away, often because it is dead: failures
  // to deregister change nothing, libvirt frees the lifecycle context with it.
  virConnectDomainEventDeregisterAny(connection_.get(), lifecycle_callback_);
  // Once this returns, libvirt neither runs the close notice nor is in it.
  virConnectUnregisterCloseCallback(connection_.get(), on_closed_notice);
  lifecycle_callback_ = -1;
  connection_.reset();
  closed_context_.reset();
}

std::string describe_close_reason(int reason) {
  switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR:
      return "I/O error";
    case VIR_CONNECT_CLOSE_REASON_EOF:
      return "end of file from the daemon";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
      return "keepalive timeout";
    case VIR_CONNECT_CLOSE_REASON_CLIENT:
      return "closed by this process";
    default:
      return "unknown reason " + std::to_string(reason);
  }
}

}  // namespace poolha::vm::libvirt

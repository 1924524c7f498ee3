#include "daemon/host/api_service.h"

#include <asio/post.hpp>
#include <stdexcept>

#include "api/http_rpc_transport.h"
#include "api/password_hash.h"

namespace poolha::daemon {
namespace {

api::DispatcherConfig dispatcher_config(const DaemonConfig& config, const std::string& secret) {
  api::DispatcherConfig out;
  out.users.push_back(
      api::ApiUser{config.api.user, api::PasswordHash::parse(config.api.password_hash)});
  out.pool_secret = secret;
  out.slave_policy =
      config.api.forward_to_master ? api::SlavePolicy::kForward : api::SlavePolicy::kRefuse;
  return out;
}

}  // namespace

ApiService::ApiService(asio::io_context& io, const DaemonConfig& config, std::string pool_secret,
                       api::PoolBackend& backend, api::EventLog& events, MasterEndpoint master)
    : io_(io), timer_(io) {
  if (config.api.forward_to_master) {
    forwarder_ = std::make_unique<api::TransportForwarder>(
        api::TransportForwarderConfig{config.host_uuid, pool_secret, 8},
        // The address the dispatcher passes is the master's as the role
        // shows it; the port comes with it from the pool's host table.
        [master](const std::string& address) -> std::unique_ptr<api::RpcTransport> {
          const std::optional<Endpoint> endpoint = master();
          if (!endpoint) throw std::runtime_error("no master is known to forward to");
          api::HttpRpcTransportConfig transport;
          transport.host = endpoint->address.empty() ? address : endpoint->address;
          transport.port = endpoint->port;
          return std::make_unique<api::HttpRpcTransport>(transport);
        },
        [&io](std::function<void()> task) { asio::post(io, std::move(task)); });
  }
  dispatcher_ =
      std::make_unique<api::Dispatcher>(dispatcher_config(config, pool_secret), backend, events,
                                        forwarder_.get(), api::ApiClocks::system());
  api::HttpServerConfig server;
  server.address = config.api.listen.address;
  server.port = config.api.listen.port;
  server_ = std::make_unique<api::HttpServer>(server, [this](api::RpcCall call, api::Reply reply) {
    asio::post(io_, [this, call = std::move(call), reply = std::move(reply)]() mutable {
      dispatcher_->dispatch(call, std::move(reply));
      schedule_timers();
    });
  });
}

ApiService::~ApiService() {
  stop();
}

void ApiService::start() {
  server_->start();
  started_ = true;
  schedule_timers();
}

void ApiService::stop() {
  if (!started_) return;
  started_ = false;
  timer_.cancel();
  server_->stop();
}

void ApiService::schedule_timers() {
  if (!started_) return;
  const std::optional<TimePoint> deadline = dispatcher_->next_deadline();
  // Session expiry and event.from deadlines (appended events wake their
  // callers by themselves); checked at least once a second.
  const TimePoint now = api::ApiClocks::system().monotonic();
  Duration wait = std::chrono::seconds(1);
  if (deadline && *deadline - now < wait) wait = std::max(Duration::zero(), *deadline - now);
  timer_.expires_after(wait);
  timer_.async_wait([this](const std::error_code& error) {
    if (error || !started_) return;
    dispatcher_->poll_timers();
    schedule_timers();
  });
}

}  // namespace poolha::daemon

// The host's API endpoint: the JSON-RPC dispatcher over the daemon's pool
// backend, the HTTP server in front of it, and the forwarder that carries a
// slave's calls to the master. HTTP threads only decode; every call runs on
// the daemon's event loop, so the dispatcher and the backend stay
// single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "api/dispatcher.h"
#include "api/event_log.h"
#include "api/http_server.h"
#include "api/pool_backend.h"
#include "api/transport_forwarder.h"
#include "daemon/config.h"

namespace poolha::daemon {

class ApiService {
 public:
  // Where the master's API is right now; nullopt while no master is known.
  using MasterEndpoint = std::function<std::optional<Endpoint>()>;

  // `backend` and `events` must outlive the service. Nothing listens until
  // start().
  ApiService(asio::io_context& io, const DaemonConfig& config, std::string pool_secret,
             api::PoolBackend& backend, api::EventLog& events, MasterEndpoint master);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  // Extra routes on the API port (host-to-host messages, /metrics); before start().
  api::HttpServer& http() { return *server_; }

  // Binds the configured address and port; throws std::runtime_error saying
  // why it cannot.
  void start();
  // Stops serving and answers the calls still waiting.
  void stop();

  const api::Dispatcher& dispatcher() const { return *dispatcher_; }

 private:
  void schedule_timers();

  asio::io_context& io_;
  std::unique_ptr<api::TransportForwarder> forwarder_;
  std::unique_ptr<api::Dispatcher> dispatcher_;
  std::unique_ptr<api::HttpServer> server_;
  asio::steady_timer timer_;
  bool started_ = false;
};

}  // namespace poolha::daemon

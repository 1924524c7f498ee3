// The API's dispatcher: takes one call (method and parameters), checks it
// against the method table, the caller's session and this host's role, and
// answers through its Reply, now or later. It is single-threaded: the HTTP
// server's threads hand calls to the daemon's event loop, which calls
// dispatch(), poll_timers() and the backend's completions one at a time.
//
// Order of checks, as xapi: method known, parameter count, session, types;
// then, on a slave, the call goes to the master unless it may run here;
// then references are resolved in the database snapshot and the handler
// checks values. A call refused by any check has changed nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/api_clocks.h"
#include "api/event_log.h"
#include "api/event_service.h"
#include "api/master_forwarder.h"
#include "api/method_table.h"
#include "api/outcome.h"
#include "api/pool_backend.h"
#include "api/rpc_call.h"
#include "api/session_table.h"

namespace poolha::api {

// What a slave does with a call that must run on the master.
enum class SlavePolicy : std::uint8_t {
  kForward,  // send it to the master through the MasterForwarder (default)
  kRefuse,   // answer HOST_IS_SLAVE [master address], as xapi does
};

struct DispatcherConfig {
  std::vector<ApiUser> users;
  // Lets slaves log in to this host when it is master (session.slave_login);
  // the same secret the forwarder on every host presents. Empty: slaves
  // cannot log in, so forwarding to this host fails.
  std::string pool_secret;
  SessionPolicy sessions;
  SlavePolicy slave_policy = SlavePolicy::kForward;
  // The longest an event.from call waits, whatever timeout it asks for.
  // Keep it below the HTTP server's reply timeout and the forwarder's
  // transport read timeout.
  Duration max_event_wait = std::chrono::seconds(300);
};

class Dispatcher {
 public:
  // `forwarder` may be null only with SlavePolicy::kRefuse (throws
  // std::invalid_argument otherwise). Everything passed by reference must
  // outlive the dispatcher.
  Dispatcher(DispatcherConfig config, PoolBackend& backend, EventLog& events,
             MasterForwarder* forwarder, ApiClocks clocks);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Calls `reply` exactly once.
  void dispatch(const RpcCall& call, Reply reply);

  // Ends idle sessions and answers event.from calls whose timeout passed.
  // The daemon calls it at next_deadline(), which changes after every
  // dispatch and every event.
  void poll_timers();
  std::optional<TimePoint> next_deadline() const;

  std::vector<std::string> method_names() const { return methods_.names(); }
  std::size_t session_count() const { return sessions_.size(); }
  std::size_t waiting_event_calls() const { return events_.waiting_calls(); }

 private:
  void check_and_run(const RpcCall& call, const Reply& reply);
  void send_to_master(const HostRole& role, const MethodSpec& method, const RpcCall& call,
                      const Reply& reply);

  DispatcherConfig config_;
  PoolBackend& backend_;
  MasterForwarder* forwarder_;
  ApiClocks clocks_;
  SessionTable sessions_;
  EventService events_;
  MethodTable methods_;
};

}  // namespace poolha::api

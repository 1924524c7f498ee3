// The API's HTTP endpoint: JSON-RPC calls by POST at /jsonrpc on a
// configured address and port, served by cpp-httplib's own threads.
//
// The server only decodes envelopes. Each call goes to the CallSink with a
// Reply; the daemon's sink moves it onto the event loop, where the
// dispatcher runs it, and the HTTP thread waits for the Reply (at most
// `reply_timeout`). So the dispatcher stays single-threaded however many
// connections are open.
//
// HTTP-level answers: 404 for other paths, 405 for other verbs, 413 for a
// body over the limit, 415 for a Content-Type other than application/json on
// /jsonrpc. Every JSON-RPC answer, errors included, is HTTP 200, as xapi's.
//
// The daemon may add plain POST routes beside /jsonrpc (its host-to-host
// messages share the API port) and plain GET routes (its metrics); their
// handlers run on the HTTP threads. Each route takes its one verb.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "api/outcome.h"
#include "api/rpc_call.h"
#include "common/time.h"

namespace poolha::api {

struct HttpServerConfig {
  std::string address = "0.0.0.0";
  int port = 0;  // 0: a free port, see HttpServer::port()
  std::string path = "/jsonrpc";
  std::size_t max_body_bytes = std::size_t{1} << 20;
  // Connections served at once. A waiting event.from holds one.
  std::size_t threads = 32;
  // How long a call may take before its caller gets INTERNAL_ERROR; keep it
  // above the dispatcher's longest event.from wait.
  Duration reply_timeout = std::chrono::seconds(330);
  Duration read_timeout = std::chrono::seconds(30);
  Duration write_timeout = std::chrono::seconds(30);
  // An idle keep-alive connection is closed after this long. stop() may wait
  // this long for such connections.
  std::chrono::seconds keep_alive_timeout{5};
};

// Receives one decoded call on an HTTP thread; must arrange for the
// dispatcher to run it and must not block for long.
using CallSink = std::function<void(RpcCall call, Reply reply)>;

// A request to a route added with HttpServer::add_post_route or
// add_get_route.
struct RawHttpRequest {
  std::string body;                            // empty for GET
  std::map<std::string, std::string> headers;  // names in lower case
  std::string remote_address;
};
struct RawHttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};
using RawPostHandler = std::function<RawHttpResponse(const RawHttpRequest& request)>;
using RawGetHandler = std::function<RawHttpResponse(const RawHttpRequest& request)>;

class HttpServer {
 public:
  HttpServer(HttpServerConfig config, CallSink sink);
  // Stops the server if it runs.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves POST `path` with `handler` on the HTTP threads. Before start();
  // `path` is a plain path of [A-Za-z0-9/_-] (throws std::invalid_argument
  // otherwise, or if it is taken).
  void add_post_route(const std::string& path, RawPostHandler handler);
  // Serves GET `path` with `handler` on the HTTP threads; the same rules as
  // add_post_route. Other verbs on `path` get 405.
  void add_get_route(const std::string& path, RawGetHandler handler);

  // Binds and starts serving; once per server. Throws std::runtime_error if
  // the address cannot be bound or the server does not come up.
  void start();
  // Stops accepting, answers every call still waiting for its Reply with
  // INTERNAL_ERROR, and joins the threads (after at most keep_alive_timeout
  // for idle connections). Replies that arrive later are dropped.
  void stop();
  // The bound port, once started.
  int port() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace poolha::api

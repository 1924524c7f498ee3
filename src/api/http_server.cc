#include "api/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "api/jsonrpc_codec.h"
#include "api/xenapi_errors.h"

namespace poolha::api {
namespace {

constexpr const char* kJsonType = "application/json";

// One call's answer, handed from the dispatcher's thread to the HTTP thread
// that waits for it.
struct PendingReply {
  std::mutex mutex;
  std::condition_variable ready;
  std::optional<Outcome> outcome;

  // The first outcome wins; later ones (after a timeout or a stop) are dropped.
  void fulfil(Outcome value) {
    {
      std::lock_guard lock(mutex);
      if (outcome) return;
      outcome = std::move(value);
    }
    ready.notify_all();
  }
};

bool is_json_content_type(const httplib::Request& request) {
  if (!request.has_header("Content-Type")) return true;  // as xapi: the type is not required
  std::string type = request.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  type.erase(std::remove_if(type.begin(), type.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type == kJsonType;
}

RawHttpRequest to_raw_request(const httplib::Request& request) {
  RawHttpRequest raw;
  raw.body = request.body;
  raw.remote_address = request.remote_addr;
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    raw.headers[lower] = value;
  }
  return raw;
}

// Adapts a raw handler to cpp-httplib's handler signature.
httplib::Server::Handler serve_raw(
    std::function<RawHttpResponse(const RawHttpRequest& request)> handler) {
  return
      [handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
        const RawHttpResponse answer = handler(to_raw_request(request));
        response.status = answer.status;
        response.set_content(answer.body, answer.content_type.c_str());
      };
}

}  // namespace

struct HttpServer::State {
  HttpServerConfig config;
  CallSink sink;
  httplib::Server server;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  int port = 0;

  // Path of each added route -> the one verb it takes.
  std::map<std::string, std::string> raw_routes;

  std::mutex pending_mutex;
  std::set<std::shared_ptr<PendingReply>> pending;
  bool stopping = false;

  void handle_post(const httplib::Request& request, httplib::Response& response);
  Outcome run(RpcCall call);
  // Checks `path` and reserves it for `method`.
  void reserve_route(const std::string& path, const std::string& method);
};

Outcome HttpServer::State::run(RpcCall call) {
  auto slot = std::make_shared<PendingReply>();
  {
    std::lock_guard lock(pending_mutex);
    if (stopping) return Outcome::failure(errors::internal_error("the API server is stopping"));
    pending.insert(slot);
  }
  try {
    sink(std::move(call), [slot](Outcome outcome) { slot->fulfil(std::move(outcome)); });
  } catch (const std::exception& error) {
    slot->fulfil(Outcome::failure(
        errors::internal_error(fmt::format("the call could not be queued: {}", error.what()))));
  }
  {
    std::unique_lock lock(slot->mutex);
    if (!slot->ready.wait_for(lock, config.reply_timeout,
                              [&] { return slot->outcome.has_value(); })) {
      slot->outcome = Outcome::failure(errors::internal_error(fmt::format(
          "no answer within {} s; the call may still complete",
          std::chrono::duration_cast<std::chrono::seconds>(config.reply_timeout).count())));
    }
  }
  {
    std::lock_guard lock(pending_mutex);
    pending.erase(slot);
  }
  std::lock_guard lock(slot->mutex);
  return std::move(*slot->outcome);
}

void HttpServer::State::handle_post(const httplib::Request& request, httplib::Response& response) {
  if (!is_json_content_type(request)) {
    response.status = 415;
    response.set_content(fmt::format("the API takes {} bodies\n", kJsonType), "text/plain");
    return;
  }
  auto decoded = decode_request(request.body);
  if (const auto* error = std::get_if<JsonRpcProtocolError>(&decoded)) {
    response.status = 200;
    response.set_content(encode_protocol_error(*error), kJsonType);
    return;
  }
  JsonRpcRequest& call = std::get<JsonRpcRequest>(decoded);
  const Outcome outcome = run(std::move(call.call));
  response.status = 200;
  response.set_content(encode_response(call.version, call.id, outcome), kJsonType);
}

HttpServer::HttpServer(HttpServerConfig config, CallSink sink) : state_(std::make_unique<State>()) {
  if (config.threads == 0) throw std::invalid_argument("the HTTP server needs threads");
  state_->config = std::move(config);
  state_->sink = std::move(sink);

  State& state = *state_;
  const std::size_t threads = state.config.threads;
  state.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  state.server.set_payload_max_length(state.config.max_body_bytes);
  state.server.set_read_timeout(state.config.read_timeout);
  state.server.set_write_timeout(state.config.write_timeout);
  state.server.set_keep_alive_timeout(state.config.keep_alive_timeout.count());
  state.server.set_pre_routing_handler([&state](const httplib::Request& request,
                                                httplib::Response& response) {
    const auto route = state.raw_routes.find(request.path);
    if (request.path != state.config.path && route == state.raw_routes.end()) {
      response.status = 404;
      response.set_content(fmt::format("not found: the API is at POST {}\n", state.config.path),
                           "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    const std::string allowed = route == state.raw_routes.end() ? "POST" : route->second;
    if (request.method != allowed) {
      response.status = 405;
      response.set_header("Allow", allowed);
      response.set_content(fmt::format("{} takes {} only\n", request.path, allowed), "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  state.server.Post(state.config.path,
                    [&state](const httplib::Request& request, httplib::Response& response) {
                      state.handle_post(request, response);
                    });
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::State::reserve_route(const std::string& path, const std::string& method) {
  if (listener.joinable() || stopping) {
    throw std::logic_error("routes are added before start()");
  }
  const bool plain = !path.empty() && path.front() == '/' &&
                     std::all_of(path.begin(), path.end(), [](unsigned char c) {
                       return std::isalnum(c) != 0 || c == '/' || c == '_' || c == '-';
                     });
  if (!plain) throw std::invalid_argument(fmt::format("not a plain HTTP path: {}", path));
  if (path == config.path || !raw_routes.emplace(path, method).second) {
    throw std::invalid_argument(fmt::format("the HTTP path {} is taken", path));
  }
}

void HttpServer::add_post_route(const std::string& path, RawPostHandler handler) {
  state_->reserve_route(path, "POST");
  // A plain path is a regular expression matching only itself.
  state_->server.Post(path, serve_raw(std::move(handler)));
}

void HttpServer::add_get_route(const std::string& path, RawGetHandler handler) {
  state_->reserve_route(path, "GET");
  state_->server.Get(path, serve_raw(std::move(handler)));
}

void HttpServer::start() {
  State& state = *state_;
  if (state.listener.joinable() || state.stopping) {
    throw std::logic_error("an HTTP server starts once");
  }
  if (state.config.port == 0) {
    state.port = state.server.bind_to_any_port(state.config.address);
  } else {
    state.port =
        state.server.bind_to_port(state.config.address, state.config.port) ? state.config.port : -1;
  }
  if (state.port < 0) {
    throw std::runtime_error(
        fmt::format("cannot bind the API to {}:{}", state.config.address, state.config.port));
  }
  state.listener_done = false;
  state.listener = std::thread([&state] {
    state.server.listen_after_bind();
    state.listener_done = true;
  });
  // cpp-httplib 0.11 has no wait_until_ready(); stop() only works once the
  // server runs, so wait for it here.
  while (!state.server.is_running()) {
    if (state.listener_done) {
      state.listener.join();
      throw std::runtime_error(
          fmt::format("the API server on {}:{} did not start", state.config.address, state.port));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void HttpServer::stop() {
  State& state = *state_;
  if (!state.listener.joinable()) return;
  std::set<std::shared_ptr<PendingReply>> waiting;
  {
    std::lock_guard lock(state.pending_mutex);
    state.stopping = true;
    waiting = state.pending;
  }
  for (const auto& slot : waiting) {
    slot->fulfil(Outcome::failure(errors::internal_error("the API server is stopping")));
  }
  state.server.stop();
  state.listener.join();
}

int HttpServer::port() const {
  return state_->port;
}

}  // namespace poolha::api

// RpcTransport over HTTP: one JSON-RPC 2.0 POST per call to a pool host's
// /jsonrpc endpoint, with connect, read and write timeouts. A connection
// failure, a timeout, an HTTP status other than 200 or a body that is not a
// JSON-RPC answer is a TransportError; a XenAPI error answer is a
// XenApiError. Plain HTTP only (no TLS yet). Safe to use from one thread at
// a time; make one per thread otherwise.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "api/rpc_transport.h"
#include "common/time.h"

namespace poolha::api {

struct HttpRpcTransportConfig {
  std::string host;  // address or name of the pool host
  int port = 80;
  std::string path = "/jsonrpc";
  Duration connect_timeout = std::chrono::seconds(5);
  // Must exceed the longest event.from wait the caller asks for.
  Duration read_timeout = std::chrono::seconds(330);
  Duration write_timeout = std::chrono::seconds(30);
};

class HttpRpcTransport : public RpcTransport {
 public:
  explicit HttpRpcTransport(HttpRpcTransportConfig config);
  ~HttpRpcTransport() override;
  HttpRpcTransport(const HttpRpcTransport&) = delete;
  HttpRpcTransport& operator=(const HttpRpcTransport&) = delete;

  nlohmann::json call(const std::string& method, const nlohmann::json& params) override;

 private:
  struct Client;
  HttpRpcTransportConfig config_;
  std::unique_ptr<Client> client_;
  std::atomic<std::int64_t> next_id_{1};
};

}  // namespace poolha::api

#include "xe/http_connection.h"

#include <chrono>

#include "api/http_rpc_transport.h"

namespace poolha::xe {
namespace {

// Enabling HA waits for every host to join the liveset, which takes minutes
// with a long HA timeout, so answers may be slow to come.
constexpr std::chrono::seconds kReadTimeout{600};

}  // namespace

std::unique_ptr<api::RpcTransport> connect_over_http(const ConnectionSettings& settings) {
  api::HttpRpcTransportConfig config;
  config.host = settings.server;
  config.port = settings.port;
  config.read_timeout = kReadTimeout;
  return std::make_unique<api::HttpRpcTransport>(config);
}

}  // namespace poolha::xe

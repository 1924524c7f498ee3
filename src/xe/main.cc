// The xe command: runs one command against a poolha pool over its JSON-RPC API.
#include <chrono>
#include <iostream>
#include <memory>

#include "api/http_rpc_transport.h"
#include "xe/xe_main.h"

namespace {

// Enabling HA waits for every host to join the liveset, which takes minutes
// with a long HA timeout, so answers may be slow to come.
constexpr std::chrono::seconds kReadTimeout{600};

std::unique_ptr<poolha::api::RpcTransport> connect(const poolha::xe::ConnectionSettings& settings) {
  poolha::api::HttpRpcTransportConfig config;
  config.host = settings.server;
  config.port = settings.port;
  config.read_timeout = kReadTimeout;
  return std::make_unique<poolha::api::HttpRpcTransport>(config);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return poolha::xe::run_xe(args, poolha::xe::process_environment(), connect, std::cout, std::cerr);
}

#include "api/http_rpc_transport.h"

#include <httplib.h>

#include <optional>

#include <fmt/format.h>

#include "api/jsonrpc_codec.h"

namespace poolha::api {
namespace {

constexpr std::size_t kBodyExcerpt = 200;

}  // namespace

struct HttpRpcTransport::Client {
  explicit Client(const HttpRpcTransportConfig& config) : http(config.host, config.port) {}
  httplib::Client http;
};

HttpRpcTransport::HttpRpcTransport(HttpRpcTransportConfig config)
    : config_(std::move(config)), client_(std::make_unique<Client>(config_)) {
  client_->http.set_connection_timeout(config_.connect_timeout);
  client_->http.set_read_timeout(config_.read_timeout);
  client_->http.set_write_timeout(config_.write_timeout);
  client_->http.set_keep_alive(true);
}

HttpRpcTransport::~HttpRpcTransport() = default;

nlohmann::json HttpRpcTransport::call(const std::string& method, const nlohmann::json& params) {
  const std::int64_t id = next_id_++;
  const std::string body = encode_request(method, params, id);
  const httplib::Result result = client_->http.Post(config_.path.c_str(), body, "application/json");
  const std::string where = fmt::format("{}:{}{}", config_.host, config_.port, config_.path);
  if (!result) {
    throw TransportError(
        fmt::format("{} to {} failed: {}", method, where, httplib::to_string(result.error())));
  }
  if (result->status != 200) {
    throw TransportError(fmt::format("{} to {} answered HTTP {}: {}", method, where, result->status,
                                     result->body.substr(0, kBodyExcerpt)));
  }
  std::optional<Outcome> outcome;
  try {
    outcome = decode_response(result->body, id);
  } catch (const TransportError& error) {
    throw TransportError(fmt::format("{} to {}: {}", method, where, error.what()));
  }
  if (!outcome->ok()) throw outcome->error();
  return outcome->value();
}

}  // namespace poolha::api

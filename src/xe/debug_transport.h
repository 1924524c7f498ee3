// An RpcTransport that writes every call and its outcome to a stream before
// passing it on: what --debug prints. Passwords are left out.
#pragma once

#include <ostream>

#include "api/rpc_transport.h"

namespace poolha::xe {

class DebugTransport : public api::RpcTransport {
 public:
  DebugTransport(api::RpcTransport& inner, std::ostream& log) : inner_(inner), log_(log) {}
  nlohmann::json call(const std::string& method, const nlohmann::json& params) override;

 private:
  api::RpcTransport& inner_;
  std::ostream& log_;
};

}  // namespace poolha::xe

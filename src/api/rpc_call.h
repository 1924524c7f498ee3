// One API call as the dispatcher receives it: the method name and its
// positional parameters, whatever JSON-RPC envelope carried them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace poolha::api {

struct RpcCall {
  std::string method;
  nlohmann::json params = nlohmann::json::array();  // always an array
};

}  // namespace poolha::api

// The JSON-RPC envelope, as xapi speaks it at /jsonrpc.
//
// Requests: JSON-RPC 2.0 ({"jsonrpc":"2.0", ...}) or 1.0 (no "jsonrpc"
// member); both need a "method" string and an integer or string "id" (xapi
// answers every call, so notifications are refused). 1.0 needs a "params"
// array; 2.0 takes an array, an object (one parameter) or nothing.
//
// Answers, by the version asked:
//   2.0 {"jsonrpc":"2.0","result":V,"id":I}
//       {"jsonrpc":"2.0","error":{"code":1,"message":CODE,"data":[PARAMS...]},"id":I}
//   1.0 {"result":V,"error":null,"id":I}
//       {"result":null,"error":[CODE,PARAMS...],"id":I}
// A body that is not JSON, or not a request, gets the standard 2.0 error
// object (-32700 or -32600) with the reason in "data".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/outcome.h"
#include "api/rpc_call.h"

namespace poolha::api {

enum class JsonRpcVersion : std::uint8_t { kV1, kV2 };

inline constexpr int kJsonRpcParseError = -32700;
inline constexpr int kJsonRpcInvalidRequest = -32600;
// error.code of every XenAPI error; xapi keeps it non-zero because some
// clients read 0 as success.
inline constexpr int kXenApiErrorCode = 1;

struct JsonRpcRequest {
  JsonRpcVersion version = JsonRpcVersion::kV2;
  nlohmann::json id;
  RpcCall call;
};

struct JsonRpcProtocolError {
  int code = kJsonRpcInvalidRequest;
  std::string reason;
  nlohmann::json id;  // null unless the request's id could be read
};

// ---- server side ---------------------------------------------------------
std::variant<JsonRpcRequest, JsonRpcProtocolError> decode_request(std::string_view body);
std::string encode_response(JsonRpcVersion version, const nlohmann::json& id,
                            const Outcome& outcome);
std::string encode_protocol_error(const JsonRpcProtocolError& error);

// ---- client side ---------------------------------------------------------
// A 2.0 request.
std::string encode_request(std::string_view method, const nlohmann::json& params, std::int64_t id);
// The outcome an answer to request `id` carries. Throws TransportError for
// anything else: not JSON, another id, a protocol-level error object.
Outcome decode_response(std::string_view body, std::int64_t id);

}  // namespace poolha::api

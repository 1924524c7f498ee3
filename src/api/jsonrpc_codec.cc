#include "api/jsonrpc_codec.h"

#include <vector>

#include <fmt/format.h>

namespace poolha::api {
namespace {

using nlohmann::json;

// Text the caller sent may be echoed back in errors; never let an odd byte
// make encoding fail.
std::string to_text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

JsonRpcProtocolError invalid(std::string reason, json id = nullptr) {
  return JsonRpcProtocolError{kJsonRpcInvalidRequest, std::move(reason), std::move(id)};
}

std::string_view protocol_message(int code) {
  switch (code) {
    case kJsonRpcParseError:
      return "Parse error";
    case kJsonRpcInvalidRequest:
      return "Invalid Request";
    default:
      return "Server error";
  }
}

std::vector<std::string> strings_of(const json& array) {
  std::vector<std::string> out;
  for (const json& item : array)
    out.push_back(item.is_string() ? item.get<std::string>() : to_text(item));
  return out;
}

}  // namespace

std::variant<JsonRpcRequest, JsonRpcProtocolError> decode_request(std::string_view body) {
  json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) {
    return JsonRpcProtocolError{kJsonRpcParseError, "the body is not JSON", nullptr};
  }
  if (!request.is_object()) return invalid("the request is not a JSON object");

  JsonRpcRequest out;
  const auto id = request.find("id");
  if (id == request.end() || id->is_null()) {
    return invalid("the request has no id; notifications are not supported");
  }
  if (!id->is_number_integer() && !id->is_string()) {
    return invalid("the id must be an integer or a string");
  }
  out.id = *id;

  const auto version = request.find("jsonrpc");
  if (version == request.end()) {
    out.version = JsonRpcVersion::kV1;
  } else if (*version == "2.0") {
    out.version = JsonRpcVersion::kV2;
  } else {
    return invalid("\"jsonrpc\" must be \"2.0\" or absent", out.id);
  }

  const auto method = request.find("method");
  if (method == request.end() || !method->is_string() ||
      method->get_ref<const std::string&>().empty()) {
    return invalid("the request has no method name", out.id);
  }
  out.call.method = method->get<std::string>();

  const auto params = request.find("params");
  if (params != request.end() && params->is_array()) {
    out.call.params = *params;
  } else if (out.version == JsonRpcVersion::kV1) {
    return invalid("a JSON-RPC 1.0 request needs a \"params\" array", out.id);
  } else if (params == request.end() || params->is_null()) {
    out.call.params = json::array();
  } else if (params->is_object()) {
    out.call.params = json::array({*params});
  } else {
    return invalid("\"params\" must be an array or an object", out.id);
  }
  return out;
}

std::string encode_response(JsonRpcVersion version, const json& id, const Outcome& outcome) {
  json answer = json::object();
  if (version == JsonRpcVersion::kV2) {
    answer["jsonrpc"] = "2.0";
    if (outcome.ok()) {
      answer["result"] = outcome.value();
    } else {
      const std::vector<std::string>& description = outcome.error().description();
      answer["error"] =
          json{{"code", kXenApiErrorCode},
               {"message", description.front()},
               {"data", std::vector<std::string>(description.begin() + 1, description.end())}};
    }
  } else {
    answer["result"] = outcome.ok() ? outcome.value() : json(nullptr);
    answer["error"] = outcome.ok() ? json(nullptr) : json(outcome.error().description());
  }
  answer["id"] = id;
  return to_text(answer);
}

std::string encode_protocol_error(const JsonRpcProtocolError& error) {
  return to_text(json{{"jsonrpc", "2.0"},
                      {"error",
                       {{"code", error.code},
                        {"message", protocol_message(error.code)},
                        {"data", json::array({error.reason})}}},
                      {"id", error.id}});
}

std::string encode_request(std::string_view method, const json& params, std::int64_t id) {
  return to_text(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}, {"id", id}});
}

Outcome decode_response(std::string_view body, std::int64_t id) {
  const json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded() || !answer.is_object()) {
    throw TransportError("the answer is not a JSON-RPC object");
  }
  const json error = answer.value("error", json(nullptr));
  const bool failed = !error.is_null();
  const bool xenapi_error =
      error.is_array() || (error.is_object() && error.value("code", json()) == kXenApiErrorCode &&
                           error.value("message", json()).is_string());
  if (failed && !xenapi_error) {
    // A protocol-level error: the server could not read the request.
    throw TransportError(fmt::format("the server rejected the request: {}", to_text(error)));
  }
  if (answer.value("id", json()) != json(id)) {
    throw TransportError(fmt::format("the answer is for request {}, not {}",
                                     to_text(answer.value("id", json())), id));
  }
  if (!failed) {
    const auto result = answer.find("result");
    if (result == answer.end()) throw TransportError("the answer has neither result nor error");
    return Outcome::success(*result);
  }
  if (error.is_array()) return Outcome::failure(XenApiError(strings_of(error)));  // 1.0
  std::vector<std::string> description{error.at("message").get<std::string>()};
  const json data = error.value("data", json(nullptr));
  if (data.is_array()) {
    for (std::string& param : strings_of(data)) description.push_back(std::move(param));
  } else if (!data.is_null()) {
    description.push_back(data.is_string() ? data.get<std::string>() : to_text(data));
  }
  return Outcome::failure(XenApiError(std::move(description)));
}

}  // namespace poolha::api

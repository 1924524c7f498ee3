// The JSON-RPC envelope: both request versions, the answer shapes xapi uses
// for each, and the client's reading of answers.
#include <gtest/gtest.h>

#include "api/jsonrpc_codec.h"

namespace poolha::api {
namespace {

using nlohmann::json;

JsonRpcRequest decoded(std::string_view body) {
  auto result = decode_request(body);
  EXPECT_TRUE(std::holds_alternative<JsonRpcRequest>(result)) << body;
  return std::holds_alternative<JsonRpcRequest>(result) ? std::get<JsonRpcRequest>(result)
                                                        : JsonRpcRequest{};
}

JsonRpcProtocolError refused(std::string_view body) {
  auto result = decode_request(body);
  EXPECT_TRUE(std::holds_alternative<JsonRpcProtocolError>(result)) << body;
  return std::holds_alternative<JsonRpcProtocolError>(result)
             ? std::get<JsonRpcProtocolError>(result)
             : JsonRpcProtocolError{};
}

TEST(JsonRpcCodec, DecodesVersionTwoRequests) {
  const JsonRpcRequest r =
      decoded(R"({"jsonrpc":"2.0","method":"VM.get_all","params":["OpaqueRef:s"],"id":7})");
  EXPECT_EQ(r.version, JsonRpcVersion::kV2);
  EXPECT_EQ(r.id, json(7));
  EXPECT_EQ(r.call.method, "VM.get_all");
  EXPECT_EQ(r.call.params, json::array({"OpaqueRef:s"}));

  EXPECT_EQ(decoded(R"({"jsonrpc":"2.0","method":"m","id":"a"})").call.params, json::array());
  EXPECT_EQ(decoded(R"({"jsonrpc":"2.0","method":"m","params":{"k":1},"id":1})").call.params,
            json::array({{{"k", 1}}}));
}

TEST(JsonRpcCodec, DecodesVersionOneRequestsWithoutTheMember) {
  const JsonRpcRequest r = decoded(R"({"method":"session.logout","params":["x"],"id":"q"})");
  EXPECT_EQ(r.version, JsonRpcVersion::kV1);
  EXPECT_EQ(r.id, json("q"));
}

TEST(JsonRpcCodec, RefusesWhatIsNotARequest) {
  EXPECT_EQ(refused("this is not json").code, kJsonRpcParseError);
  EXPECT_EQ(refused("[1,2]").code, kJsonRpcInvalidRequest);
  EXPECT_EQ(refused(R"({"jsonrpc":"2.0","method":"m"})").code, kJsonRpcInvalidRequest);
  EXPECT_EQ(refused(R"({"jsonrpc":"2.0","method":"m","id":1.5})").code, kJsonRpcInvalidRequest);
  EXPECT_EQ(refused(R"({"jsonrpc":"1.1","method":"m","id":1})").id, json(1));
  EXPECT_EQ(refused(R"({"jsonrpc":"2.0","params":[],"id":1})").code, kJsonRpcInvalidRequest);
  EXPECT_EQ(refused(R"({"method":"m","id":1})").code, kJsonRpcInvalidRequest);  // 1.0 needs params
  EXPECT_EQ(refused(R"({"jsonrpc":"2.0","method":"m","params":3,"id":1})").code,
            kJsonRpcInvalidRequest);
}

TEST(JsonRpcCodec, EncodesAnswersInTheShapeOfTheirVersion) {
  const XenApiError error({"HANDLE_INVALID", "VM", "OpaqueRef:x"});
  EXPECT_EQ(json::parse(encode_response(JsonRpcVersion::kV2, 3, Outcome::success(42))),
            json::parse(R"({"jsonrpc":"2.0","result":42,"id":3})"));
  EXPECT_EQ(json::parse(encode_response(JsonRpcVersion::kV2, 3, Outcome::failure(error))),
            json::parse(R"({"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"HANDLE_INVALID",
                            "data":["VM","OpaqueRef:x"]}})"));
  EXPECT_EQ(json::parse(encode_response(JsonRpcVersion::kV1, "a", Outcome::done())),
            json::parse(R"({"result":"","error":null,"id":"a"})"));
  EXPECT_EQ(
      json::parse(encode_response(JsonRpcVersion::kV1, "a", Outcome::failure(error))),
      json::parse(R"({"result":null,"error":["HANDLE_INVALID","VM","OpaqueRef:x"],"id":"a"})"));
}

TEST(JsonRpcCodec, EncodesProtocolErrorsAsJsonRpcTwo) {
  const json answer = json::parse(encode_protocol_error(
      JsonRpcProtocolError{kJsonRpcParseError, "the body is not JSON", nullptr}));
  EXPECT_EQ(answer["error"]["code"], kJsonRpcParseError);
  EXPECT_EQ(answer["error"]["message"], "Parse error");
  EXPECT_EQ(answer["id"], nullptr);
}

TEST(JsonRpcCodec, ClientReadsResultsAndXenApiErrorsOfBothVersions) {
  EXPECT_EQ(decode_response(R"({"jsonrpc":"2.0","result":[1],"id":5})", 5).value(), json({1}));
  const Outcome v2 = decode_response(
      R"({"jsonrpc":"2.0","error":{"code":1,"message":"SESSION_INVALID","data":["r"]},"id":5})", 5);
  ASSERT_FALSE(v2.ok());
  EXPECT_EQ(v2.error().description(), (std::vector<std::string>{"SESSION_INVALID", "r"}));
  const Outcome v1 = decode_response(R"({"result":null,"error":["EVENTS_LOST"],"id":5})", 5);
  ASSERT_FALSE(v1.ok());
  EXPECT_EQ(v1.error().code(), "EVENTS_LOST");
}

TEST(JsonRpcCodec, ClientTreatsEverythingElseAsATransportFailure) {
  EXPECT_THROW(decode_response("<html>", 1), TransportError);
  EXPECT_THROW(decode_response(R"({"jsonrpc":"2.0","result":1,"id":2})", 1), TransportError);
  EXPECT_THROW(decode_response(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,
                                  "message":"Parse error","data":["x"]}})",
                               1),
               TransportError);
  EXPECT_THROW(decode_response(R"({"jsonrpc":"2.0","id":1})", 1), TransportError);
}

}  // namespace
}  // namespace poolha::api

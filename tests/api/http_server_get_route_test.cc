// HttpServer::add_get_route over HTTP on 127.0.0.1: the handler's answer and
// content type come back, other paths get 404, other verbs 405, and the path
// rules are those of add_post_route.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "api/http_server.h"

namespace poolha::api {
namespace {

class HttpServerGetRouteTest : public ::testing::Test {
 protected:
  HttpServerGetRouteTest() {
    HttpServerConfig config;
    config.address = "127.0.0.1";
    config.threads = 2;
    // No JSON-RPC calls are made here; any call would be a test defect.
    server = std::make_unique<HttpServer>(
        config, [](RpcCall, Reply) { ADD_FAILURE() << "no JSON-RPC call expected"; });
  }
  ~HttpServerGetRouteTest() override { server->stop(); }

  httplib::Client client() { return httplib::Client("127.0.0.1", server->port()); }

  std::unique_ptr<HttpServer> server;
};

TEST_F(HttpServerGetRouteTest, HandlerAnswerAndContentTypeAreReturned) {
  server->add_get_route("/status_page", [](const RawHttpRequest& request) {
    return RawHttpResponse{
        203, "seen " + request.headers.at("x-probe") + " from " + request.remote_address,
        "text/plain; version=0.0.4"};
  });
  server->start();
  httplib::Client c = client();
  const auto result = c.Get("/status_page", {{"X-Probe", "abc"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 203);
  EXPECT_EQ(result->body, "seen abc from 127.0.0.1");
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain; version=0.0.4");
}

TEST_F(HttpServerGetRouteTest, OtherPathsAreNotFound) {
  server->add_get_route("/metrics", [](const RawHttpRequest&) {
    return RawHttpResponse{200, "x", "text/plain"};
  });
  server->start();
  httplib::Client c = client();
  const auto other = c.Get("/metrics/extra");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  const auto root = c.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 404);
}

TEST_F(HttpServerGetRouteTest, PostOnAGetRouteIsNotAllowed) {
  std::atomic<bool> called{false};
  server->add_get_route("/metrics", [&called](const RawHttpRequest&) {
    called = true;
    return RawHttpResponse{200, "x", "text/plain"};
  });
  server->start();
  httplib::Client c = client();
  const auto result = c.Post("/metrics", "{}", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "GET");
  EXPECT_FALSE(called);
}

TEST_F(HttpServerGetRouteTest, GetOnTheRpcPathIsStillNotAllowed) {
  server->add_get_route("/metrics", [](const RawHttpRequest&) {
    return RawHttpResponse{200, "x", "text/plain"};
  });
  server->start();
  httplib::Client c = client();
  const auto result = c.Get("/jsonrpc");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "POST");
}

TEST_F(HttpServerGetRouteTest, GetAndPostRoutesKeepTheirOwnVerbs) {
  server->add_get_route("/read", [](const RawHttpRequest&) {
    return RawHttpResponse{200, "read", "text/plain"};
  });
  server->add_post_route("/write", [](const RawHttpRequest& request) {
    return RawHttpResponse{200, "wrote " + request.body, "text/plain"};
  });
  server->start();
  httplib::Client c = client();
  const auto read = c.Get("/read");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->body, "read");
  const auto write = c.Post("/write", "b", "text/plain");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->body, "wrote b");
  const auto get_write = c.Get("/write");
  ASSERT_TRUE(get_write);
  EXPECT_EQ(get_write->status, 405);
  EXPECT_EQ(get_write->get_header_value("Allow"), "POST");
}

TEST_F(HttpServerGetRouteTest, PathRulesAreThoseOfPostRoutes) {
  const auto handler = [](const RawHttpRequest&) { return RawHttpResponse{}; };
  EXPECT_THROW(server->add_get_route("metrics", handler), std::invalid_argument);
  EXPECT_THROW(server->add_get_route("/metrics.*", handler), std::invalid_argument);
  EXPECT_THROW(server->add_get_route("/jsonrpc", handler), std::invalid_argument);
  server->add_post_route("/taken", handler);
  EXPECT_THROW(server->add_get_route("/taken", handler), std::invalid_argument);
  server->add_get_route("/metrics", handler);
  EXPECT_THROW(server->add_get_route("/metrics", handler), std::invalid_argument);
  server->start();
  EXPECT_THROW(server->add_get_route("/late", handler), std::logic_error);
}

}  // namespace
}  // namespace poolha::api

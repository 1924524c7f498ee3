// GET /metrics through a real HttpServer on 127.0.0.1: the scrape returns the
// current values in the exposition content type, and the route takes GET only.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "api/http_server.h"
#include "daemon/ops/metrics_route.h"

namespace poolha::daemon {
namespace {

class MetricsRouteTest : public ::testing::Test {
 protected:
  MetricsRouteTest() {
    api::HttpServerConfig config;
    config.address = "127.0.0.1";
    config.threads = 2;
    server = std::make_unique<api::HttpServer>(
        config, [](api::RpcCall, api::Reply) { ADD_FAILURE() << "no JSON-RPC call expected"; });
    serve_metrics(*server, metrics);
    server->start();
  }
  ~MetricsRouteTest() override { server->stop(); }

  httplib::Client client() { return httplib::Client("127.0.0.1", server->port()); }

  DaemonMetrics metrics{{"pool.enable_ha"}};
  std::unique_ptr<api::HttpServer> server;
};

TEST_F(MetricsRouteTest, ScrapeShowsTheCurrentValues) {
  metrics.set_ha_generation(31);
  metrics.set_phase(wire::Phase::kJoining);
  httplib::Client c = client();
  const auto first = c.Get("/metrics");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->get_header_value("Content-Type"), DaemonMetrics::kContentType);
  EXPECT_NE(first->body.find("\npoolha_ha_generation 31\n"), std::string::npos) << first->body;
  EXPECT_NE(first->body.find("\npoolha_phase{phase=\"joining\"} 1\n"), std::string::npos);

  metrics.set_phase(wire::Phase::kMember);
  metrics.count_api_call("pool.enable_ha");
  const auto second = c.Get("/metrics");
  ASSERT_TRUE(second);
  EXPECT_NE(second->body.find("\npoolha_phase{phase=\"joining\"} 0\n"), std::string::npos);
  EXPECT_NE(second->body.find("\npoolha_phase{phase=\"member\"} 1\n"), std::string::npos);
  EXPECT_NE(second->body.find("\npoolha_api_calls_total{method=\"pool.enable_ha\"} 1\n"),
            std::string::npos);
}

TEST_F(MetricsRouteTest, MetricsTakeGetOnly) {
  httplib::Client c = client();
  const auto result = c.Post("/metrics", "", "text/plain");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "GET");
}

TEST(MetricsRoute, PathCannotBeTakenTwice) {
  api::HttpServer server(api::HttpServerConfig{}, [](api::RpcCall, api::Reply) {});
  DaemonMetrics metrics({});
  serve_metrics(server, metrics);
  EXPECT_THROW(serve_metrics(server, metrics), std::invalid_argument);
}

}  // namespace
}  // namespace poolha::daemon

// End to end over HTTP on 127.0.0.1: the server hands calls to a dispatcher
// on its own loop thread, and HttpRpcTransport (or a raw HTTP client) calls it.
#include "api_test_support.h"

#include <httplib.h>

#include "api/http_rpc_transport.h"
#include "api/http_server.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

class HttpTest : public ::testing::Test {
 protected:
  HttpTest() {
    backend.auto_complete = true;
    DispatcherConfig config = test_config();
    dispatcher =
        std::make_unique<Dispatcher>(std::move(config), backend, log, nullptr, ApiClocks::system());
    HttpServerConfig server_config;
    server_config.address = "127.0.0.1";
    server_config.max_body_bytes = 4096;
    server_config.threads = 4;
    server = std::make_unique<HttpServer>(server_config, [this](RpcCall call, Reply reply) {
      loop.post([this, call = std::move(call), reply = std::move(reply)] {
        dispatcher->dispatch(call, reply);
      });
    });
    server->add_post_route("/internal/echo", [](const RawHttpRequest& request) {
      return RawHttpResponse{202, request.headers.at("x-test") + ":" + request.body, "text/plain"};
    });
    server->start();
  }
  ~HttpTest() override {
    server->stop();
    loop.run_sync([this] {
      dispatcher.reset();
      return 0;
    });
  }

  HttpRpcTransport transport() {
    HttpRpcTransportConfig config;
    config.host = "127.0.0.1";
    config.port = server->port();
    config.read_timeout = std::chrono::seconds(20);
    return HttpRpcTransport(config);
  }
  std::string login(HttpRpcTransport& t) {
    return t.call("session.login_with_password", {kUser, kPassword, "1.0", "http test"})
        .get<std::string>();
  }
  httplib::Client raw() { return httplib::Client("127.0.0.1", server->port()); }

  TestLoop loop;
  EventLog log;
  FakeBackend backend{sample_database()};
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<HttpServer> server;
};

TEST_F(HttpTest, LoginAndReadRecords) {
  HttpRpcTransport t = transport();
  const std::string session = login(t);
  const json records = t.call("VM.get_all_records", {session});
  EXPECT_EQ(records.at(ref(kRunningVmUuid))["power_state"], "Running");
  EXPECT_EQ(t.call("VM.get_power_state", {session, ref(kHaltedVmUuid)}), "Halted");
  EXPECT_EQ(t.call("session.logout", {session}), "");
}

TEST_F(HttpTest, ListMethods) {
  HttpRpcTransport t = transport();
  const auto names = t.call("system.listMethods", json::array()).get<std::vector<std::string>>();
  EXPECT_NE(std::find(names.begin(), names.end(), "pool.enable_ha"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "event.from"), names.end());
}

TEST_F(HttpTest, XenApiErrorsArriveWithTheirDescription) {
  HttpRpcTransport t = transport();
  try {
    t.call("session.login_with_password", {kUser, "wrong"});
    FAIL() << "logged in with a wrong password";
  } catch (const XenApiError& error) {
    EXPECT_EQ(error.description(),
              (Strings{"SESSION_AUTHENTICATION_FAILED", kUser, "Authentication failure"}));
  }
  const std::string session = login(t);
  try {
    t.call("VM.get_record", {session, "OpaqueRef:gone"});
    FAIL() << "read a VM that does not exist";
  } catch (const XenApiError& error) {
    EXPECT_EQ(error.description(), (Strings{"HANDLE_INVALID", "VM", "OpaqueRef:gone"}));
  }
}

TEST_F(HttpTest, MutationsCompleteThroughTheLoop) {
  HttpRpcTransport t = transport();
  const std::string session = login(t);
  EXPECT_EQ(t.call("VM.set_order", {session, ref(kRunningVmUuid), 4}), "");
  const std::size_t mutations = loop.run_sync([this] { return backend.mutations.size(); });
  EXPECT_EQ(mutations, 1u);
}

TEST_F(HttpTest, EventFromWaitsAcrossHttp) {
  HttpRpcTransport t = transport();
  const std::string session = login(t);
  const std::string token = t.call("event.from", {session, {"vm"}, "", 0.0})["token"];
  std::promise<json> answer;
  std::thread waiter([&] {
    HttpRpcTransport own = transport();
    answer.set_value(own.call("event.from", {session, {"vm"}, token, 15.0}));
  });
  // Once the call waits in the dispatcher, a change wakes it.
  while (loop.run_sync([this] { return dispatcher->waiting_event_calls(); }) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  loop.run_sync([this] {
    pool::Vm vm = *backend.database()->find_vm(kHaltedVmUuid);
    vm.name_label = "renamed";
    backend.apply(pool::UpsertVm{vm}, log, std::chrono::system_clock::now());
    return 0;
  });
  const json events = answer.get_future().get()["events"];
  waiter.join();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["snapshot"]["name_label"], "renamed");
}

TEST_F(HttpTest, ANonJsonBodyIsAParseError) {
  httplib::Client client = raw();
  const auto result = client.Post("/jsonrpc", "{not json", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  const json answer = json::parse(result->body);
  EXPECT_EQ(answer["jsonrpc"], "2.0");
  EXPECT_EQ(answer["error"]["code"], -32700);
  EXPECT_EQ(answer["id"], nullptr);
}

TEST_F(HttpTest, VersionOneCallersGetVersionOneAnswers) {
  httplib::Client client = raw();
  const auto result = client.Post(
      "/jsonrpc", R"({"method":"session.login_with_password","params":["root","bad"],"id":9})",
      "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(json::parse(result->body),
            json::parse(R"({"result":null,"error":["SESSION_AUTHENTICATION_FAILED","root",
                           "Authentication failure"],"id":9})"));
}

TEST_F(HttpTest, OtherPathsVerbsTypesAndSizesAreHttpErrors) {
  httplib::Client client = raw();
  const auto get = client.Get("/jsonrpc");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  const auto other = client.Post("/xmlrpc", "{}", "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  const auto text = client.Post("/jsonrpc", "{}", "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  const auto big = client.Post("/jsonrpc", std::string(8192, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
}

TEST_F(HttpTest, StoppingAnswersCallsStillWaiting) {
  backend.auto_complete = false;  // read on the loop only after this point
  std::string session;
  {
    // Closed before the stop, which would otherwise wait for its idle
    // keep-alive connection.
    HttpRpcTransport t = transport();
    session = login(t);
  }
  std::promise<std::vector<std::string>> answer;
  std::thread caller([&] {
    HttpRpcTransport own = transport();
    try {
      own.call("VM.clean_shutdown", {session, ref(kRunningVmUuid)});
      answer.set_value({"answered"});
    } catch (const XenApiError& error) {
      answer.set_value(error.description());
    }
  });
  while (loop.run_sync([this] { return backend.mutations.size(); }) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server->stop();
  const std::vector<std::string> description = answer.get_future().get();
  caller.join();
  EXPECT_EQ(description, (Strings{"INTERNAL_ERROR", "the API server is stopping"}));
  // The backend completing later is harmless.
  loop.run_sync([this] {
    backend.mutations[0].done(Outcome::done());
    return 0;
  });
}

TEST_F(HttpTest, AddedRoutesGetTheRawRequest) {
  httplib::Client client = raw();
  const auto result =
      client.Post("/internal/echo", httplib::Headers{{"X-Test", "mac"}}, "body", "text/plain");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 202);
  EXPECT_EQ(result->body, "mac:body");
  const auto get = client.Get("/internal/echo");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_THROW(
      server->add_post_route("/late", [](const RawHttpRequest&) { return RawHttpResponse{}; }),
      std::logic_error);
}

TEST(HttpTransport, AnUnreachableHostIsATransportError) {
  int port = 0;
  {
    HttpServerConfig config;
    config.address = "127.0.0.1";
    HttpServer closed(config, [](RpcCall, Reply) {});
    closed.start();
    port = closed.port();
  }
  HttpRpcTransportConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.connect_timeout = std::chrono::seconds(2);
  HttpRpcTransport t(config);
  EXPECT_THROW(t.call("system.listMethods", json::array()), TransportError);
}

}  // namespace
}  // namespace poolha::api::test_support

// A slave forwarding to its master: the TransportForwarder's own session on
// the master (with a fresh login when the master forgot it), transport
// failures, and the whole path over HTTP between two dispatchers.
#include "api_test_support.h"

#include <future>

#include "api/http_rpc_transport.h"
#include "api/http_server.h"
#include "api/transport_forwarder.h"

namespace poolha::api::test_support {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

// Plays the master: a scripted answer per method, and a log of calls.
class ScriptedMaster {
 public:
  struct Call {
    std::string method;
    json params;
  };

  json answer(const std::string& method, const json& params) {
    std::lock_guard lock(mutex_);
    calls_.push_back(Call{method, params});
    if (unreachable) throw TransportError("connection refused");
    if (method == "session.slave_login") {
      return "OpaqueRef:master-session-" + std::to_string(++logins_);
    }
    if (params.at(0) != "OpaqueRef:master-session-" + std::to_string(logins_) ||
        forget_sessions_before_login > logins_) {
      throw XenApiError({"SESSION_INVALID", params.at(0).get<std::string>()});
    }
    return "done";
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  bool unreachable = false;
  int forget_sessions_before_login = 0;  // sessions of earlier logins are unknown

 private:
  std::mutex mutex_;
  std::vector<Call> calls_;
  int logins_ = 0;
};

class ScriptedTransport : public RpcTransport {
 public:
  explicit ScriptedTransport(ScriptedMaster& master) : master_(master) {}
  json call(const std::string& method, const json& params) override {
    return master_.answer(method, params);
  }

 private:
  ScriptedMaster& master_;
};

class TransportForwarderTest : public ::testing::Test {
 protected:
  Outcome forward(const std::string& method, json params) {
    std::promise<Outcome> outcome;
    forwarder.forward(ForwardedCall{"192.0.2.1", method, std::move(params), true},
                      [&outcome](Outcome o) { outcome.set_value(std::move(o)); });
    return outcome.get_future().get();
  }

  ScriptedMaster master;
  std::vector<std::string> addresses;
  std::mutex addresses_mutex;
  TransportForwarder forwarder{TransportForwarderConfig{kSlaveUuid, kPoolSecret, 2},
                               [this](const std::string& address) {
                                 std::lock_guard lock(addresses_mutex);
                                 addresses.push_back(address);
                                 return std::make_unique<ScriptedTransport>(master);
                               },
                               // Tests read the outcome through a promise, so running it on the
                               // worker thread is enough here.
                               [](std::function<void()> task) { task(); }};
};

TEST_F(TransportForwarderTest, LogsInOnceAndReplacesTheCallersSession) {
  EXPECT_EQ(forward("VM.set_order", {"OpaqueRef:local", ref(kRunningVmUuid), 2}).value(), "done");
  EXPECT_EQ(forward("pool.disable_ha", {"OpaqueRef:local"}).value(), "done");
  const auto calls = master.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].method, "session.slave_login");
  EXPECT_EQ(calls[0].params, json({ref(kSlaveUuid), kPoolSecret}));
  EXPECT_EQ(calls[1].params, json({"OpaqueRef:master-session-1", ref(kRunningVmUuid), 2}));
  EXPECT_EQ(calls[2].params, json({"OpaqueRef:master-session-1"}));
  EXPECT_EQ(addresses, (Strings{"192.0.2.1", "192.0.2.1"}));
}

TEST_F(TransportForwarderTest, LogsInAgainWhenTheMasterForgotTheSession) {
  ASSERT_TRUE(forward("pool.disable_ha", {"OpaqueRef:local"}).ok());
  master.forget_sessions_before_login = 2;  // e.g. the master restarted
  EXPECT_EQ(forward("pool.disable_ha", {"OpaqueRef:local"}).value(), "done");
  const auto calls = master.calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[3].method, "session.slave_login");
  EXPECT_EQ(calls[4].params, json({"OpaqueRef:master-session-2"}));
}

TEST_F(TransportForwarderTest, AnUnreachableMasterIsReported) {
  master.unreachable = true;
  EXPECT_EQ(error_of(forward("pool.disable_ha", {"OpaqueRef:local"})),
            (Strings{"CANNOT_CONTACT_HOST", "192.0.2.1", "connection refused"}));
}

// One pool host: backend, dispatcher on its own loop, HTTP endpoint.
struct ApiHost {
  ApiHost(HostRole role, MasterForwarder* forwarder, SlavePolicy policy) {
    backend.role_ = std::move(role);
    backend.auto_complete = true;
    DispatcherConfig config = test_config();
    config.slave_policy = policy;
    dispatcher = std::make_unique<Dispatcher>(config, backend, log, forwarder, ApiClocks::system());
    HttpServerConfig server_config;
    server_config.address = "127.0.0.1";
    server_config.threads = 4;
    server = std::make_unique<HttpServer>(server_config, [this](RpcCall call, Reply reply) {
      loop.post([this, call = std::move(call), reply = std::move(reply)] {
        dispatcher->dispatch(call, reply);
      });
    });
    server->start();
  }
  ~ApiHost() {
    server->stop();
    loop.run_sync([this] {
      dispatcher.reset();
      return 0;
    });
  }

  HttpRpcTransport client() const {
    HttpRpcTransportConfig config;
    config.host = "127.0.0.1";
    config.port = server->port();
    config.read_timeout = std::chrono::seconds(20);
    return HttpRpcTransport(config);
  }

  TestLoop loop;
  EventLog log;
  FakeBackend backend{sample_database()};
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<HttpServer> server;
};

TEST(ForwardingOverHttp, ASlaveForwardsMutationsAndReadsToItsMaster) {
  ApiHost master(HostRole{kMasterUuid, true, "127.0.0.1", true}, nullptr, SlavePolicy::kRefuse);
  const int master_port = master.server->port();

  std::unique_ptr<ApiHost> slave;
  auto forwarder = std::make_unique<TransportForwarder>(
      TransportForwarderConfig{kSlaveUuid, kPoolSecret, 2},
      [master_port](const std::string& address) {
        HttpRpcTransportConfig config;
        config.host = address;
        config.port = master_port;
        config.read_timeout = std::chrono::seconds(20);
        return std::make_unique<HttpRpcTransport>(config);
      },
      [&slave](std::function<void()> task) { slave->loop.post(std::move(task)); });
  slave = std::make_unique<ApiHost>(HostRole{kSlaveUuid, false, "127.0.0.1", false},
                                    forwarder.get(), SlavePolicy::kForward);

  {
    // Closed before the slave stops, which would otherwise wait for its idle
    // keep-alive connection.
    HttpRpcTransport client = slave->client();
    const std::string session =
        client.call("session.login_with_password", {kUser, kPassword}).get<std::string>();
    EXPECT_EQ(client.call("VM.set_order", {session, ref(kRunningVmUuid), 6}), "");
    EXPECT_EQ(client.call("VM.get_name_label", {session, ref(kRunningVmUuid)}), "web");
    try {
      client.call("VM.set_order", {session, ref("vm-ghost"), 6});
      FAIL() << "a VM that does not exist was changed";
    } catch (const XenApiError& error) {
      EXPECT_EQ(error.description(), (Strings{"HANDLE_INVALID", "VM", ref("vm-ghost")}));
    }
  }

  const json mutations = master.loop.run_sync([&master] {
    json out = json::array();
    for (const Mutation& m : master.backend.mutations) out.push_back({m.action, m.args});
    return out;
  });
  EXPECT_EQ(mutations, json::array({{"set_vm_order", {{"vm", kRunningVmUuid}, {"value", 6}}}}));
  const std::size_t slave_mutations =
      slave->loop.run_sync([&slave] { return slave->backend.mutations.size(); });
  EXPECT_EQ(slave_mutations, 0u);

  // The slave's HTTP server and dispatcher go before the forwarder whose
  // replies they receive.
  slave.reset();
  forwarder.reset();
}

}  // namespace
}  // namespace poolha::api::test_support

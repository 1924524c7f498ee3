// Hosts in their own network namespaces: made as asked, and nothing left
// behind afterwards. Needs root.
#include <gtest/gtest.h>

#include "daemon/config.h"
#include "localpool/local_pool.h"
#include "localpool/namespace_network.h"
#include "common/tool_runner.h"

namespace poolha::localpool {
namespace {

class NamespaceNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = NamespaceNetwork::unavailable_reason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }
  // Unique per test process, so parallel runs do not meet.
  std::string prefix() const { return "pt" + std::to_string(::getpid() % 1000000); }
};

TEST_F(NamespaceNetworkTest, CreatesHostsOnABridgeAndRemovesEverything) {
  const std::string name_prefix = prefix();
  {
    NamespaceNetwork network(name_prefix, "10.213.251", 2);
    EXPECT_TRUE(NamespaceNetwork::anything_left(name_prefix));
    for (std::size_t i = 0; i < 2; ++i) {
      const std::string addresses =
          run_tool_checked({"ip", "-n", network.namespace_name(i), "-4", "addr", "show", "eth0"});
      EXPECT_NE(addresses.find(network.host_address(i) + "/24"), std::string::npos) << addresses;
      const std::string routes =
          run_tool_checked({"ip", "-n", network.namespace_name(i), "route", "show", "default"});
      EXPECT_NE(routes.find("via 10.213.251.1"), std::string::npos) << routes;
    }
    EXPECT_EQ(network.host_address(1), "10.213.251.12");
    // From inside host 2's namespace, the namespace is what `ip` sees.
    std::vector<std::string> argv = network.exec_prefix(1);
    argv.insert(argv.end(), {"ip", "-4", "-o", "addr", "show"});
    EXPECT_NE(run_tool_checked(argv).find("10.213.251.12"), std::string::npos);
    network.remove();
    EXPECT_FALSE(NamespaceNetwork::anything_left(name_prefix));
    network.remove();  // twice is harmless
  }
  EXPECT_FALSE(NamespaceNetwork::anything_left(name_prefix));
}

TEST_F(NamespaceNetworkTest, RefusesNamesTooLongForLinks) {
  EXPECT_THROW(NamespaceNetwork("toolongprefix", "10.213.252", 1), std::invalid_argument);
  EXPECT_THROW(NamespaceNetwork("bad-name", "10.213.252", 1), std::invalid_argument);
}

TEST_F(NamespaceNetworkTest, LocalPoolInNamespacesUsesThemAndCleansUp) {
  LocalPoolOptions options;
  options.hosts = 3;
  options.isolation = Isolation::kNamespaces;
  options.poolha_binary = "/bin/sh";
  std::string first_address;
  {
    LocalPool pool(options);
    pool.write_files();
    const daemon::DaemonConfig config = daemon::load_config(pool.host(0).config_file);
    first_address = config.self().api.address;
    EXPECT_EQ(first_address.rfind("10.213.", 0), 0u) << first_address;
    EXPECT_EQ(config.self().api.port, 80);
    EXPECT_EQ(config.self().heartbeat.port, 694);
    ASSERT_EQ(config.isolation_addresses.size(), 1u);
    EXPECT_EQ(config.isolation_addresses[0].substr(0, first_address.rfind('.')),
              first_address.substr(0, first_address.rfind('.')))
        << "the isolation address is the bridge, on the hosts' subnet";
    EXPECT_NE(run_tool_checked({"ip", "-4", "-o", "addr", "show"})
                  .find(config.isolation_addresses[0] + "/24"),
              std::string::npos);
  }
  EXPECT_EQ(run_tool_checked({"ip", "-4", "-o", "addr", "show"})
                .find(" " + first_address.substr(0, first_address.rfind('.')) + ".1/24"),
            std::string::npos)
      << "the bridge is gone";
}

}  // namespace
}  // namespace poolha::localpool

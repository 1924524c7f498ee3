// One host of a pool in network namespaces loses the management network
// (DESIGN §8 row 4): a firewall in its namespace drops everything but
// loopback, its storage (the SR file) stays reachable. It must fence, say
// why, and its protected VMs must run again on the others; once its network
// is back and it boots again, it rejoins without a fencing loop (row 11 for
// a fenced host).
#include <iostream>

#include <gtest/gtest.h>

#include "integration_pool.h"
#include "localpool/tool_runner.h"

namespace poolha::integration {
namespace {

using localpool::run_tool;
using localpool::run_tool_checked;

// The network namespace a host's daemon runs in.
std::string namespace_of(localpool::LocalPool& pool, std::size_t host) {
  const std::vector<pid_t> pids = pool.host_pids(host);
  if (pids.empty()) throw std::runtime_error(pool.host(host).name + " runs no process");
  std::string name = run_tool_checked({"ip", "netns", "identify", std::to_string(pids.back())});
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
  if (name.empty()) throw std::runtime_error(pool.host(host).name + " is not in a namespace");
  return name;
}

constexpr const char* kCutTable = "poolha_cut";

void cut_management_network(const std::string& netns) {
  const std::vector<std::string> in_namespace = {"ip", "netns", "exec", netns, "nft"};
  for (const std::string& rule : {
           std::string("add table inet ") + kCutTable,
           std::string("add chain inet ") + kCutTable +
               " in { type filter hook input priority 0 ; policy drop ; }",
           std::string("add chain inet ") + kCutTable +
               " out { type filter hook output priority 0 ; policy drop ; }",
           std::string("add rule inet ") + kCutTable + " in iif lo accept",
           std::string("add rule inet ") + kCutTable + " out oif lo accept",
       }) {
    std::vector<std::string> argv = in_namespace;
    argv.push_back(rule);
    run_tool_checked(argv);
  }
}

void restore_management_network(const std::string& netns) {
  run_tool_checked({"ip", "netns", "exec", netns, "nft", "delete", "table", "inet", kCutTable});
}

class NetworkLossTest : public IntegrationTest {};

TEST_F(NetworkLossTest, HostWithoutManagementNetworkFencesAndItsVmsRestartElsewhere) {
  std::string why;
  if (namespaces_unavailable(&why)) GTEST_SKIP() << "needs network namespaces: " << why;
  if (run_tool({"nft", "--version"}).exit_code != 0) GTEST_SKIP() << "needs the nft tool";

  PoolSetup setup;
  setup.isolation = localpool::Isolation::kNamespaces;
  setup.vms = process_vms(2, "restart");
  IntegrationPool& p = make_pool(setup);
  p.create_and_start();
  p.enable_ha();
  p.start_protected_vms_on(1);
  const std::string netns = namespace_of(p.pool(), 1);

  std::cout << "cutting host-2's management network (nft drop in " << netns << ")" << std::endl;
  cut_management_network(netns);
  const std::vector<std::string> survivors = names({0, 2});
  p.watch_until(
      {0, 2}, {0, 2},
      [&] {
        if (!fence_report(p.host(1)) || p.pool().host_running(1)) return false;
        const auto seen = p.snapshot(0);
        if (!seen || !localpool::protected_vms_run_on(*seen, survivors)) return false;
        for (const char* name : {"vm-1", "vm-2"}) {
          const std::vector<std::string> hosts = p.hosts_running_vm(p.vm_uuid(name));
          if (hosts.size() != 1 || hosts.front() == "host-2") return false;
        }
        return true;
      },
      p.failover_deadline(), "host-2 to fence and vm-1, vm-2 to run on host-1 or host-3");

  const std::optional<FenceReport> fence = fence_report(p.host(1));
  ASSERT_TRUE(fence);
  std::cout << "poolha fence-reason --state-dir " << p.host(1).state_dir.string() << ":\n"
            << fence->text << std::endl;
  EXPECT_EQ(fence->exit_code, 0);
  EXPECT_NE(fence->text.find("Host host-2 fenced"), std::string::npos);
  EXPECT_NE(fence->text.find("Decided by: engine"), std::string::npos)
      << "the HA engine decided to fence, not a missed watchdog kick";
  const auto after = p.snapshot(2);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->master == "host-1" || after->master == "host-3") << after->master;

  // The cable is plugged back in and the fenced host boots again.
  p.accept_fence(1);
  restore_management_network(netns);
  p.pool().start_host(1);
  p.watch_until(
      {0, 2}, {0, 1, 2},
      [&] {
        for (const std::size_t observer : {0, 2}) {
          const auto seen = p.snapshot(observer);
          if (!seen) return false;
          for (const auto& entry : seen->hosts) {
            if (!entry.second.live) return false;
          }
        }
        return true;
      },
      p.failover_deadline(), "host-2 to rejoin the pool");
  p.hold_for(
      Seconds(3 * setup.ha_timeout_seconds), {0, 2}, {0, 1, 2},
      [&] {
        const auto seen = p.snapshot(0);
        if (!seen) return;
        for (const auto& entry : seen->hosts) {
          if (!entry.second.live) {
            throw std::runtime_error("host-1 sees " + entry.second.name + " dead again");
          }
        }
      },
      "every host to stay live: no fencing loop");
}

}  // namespace
}  // namespace poolha::integration

// reset_tcp_connections in a network namespace of the test's own: every
// connection there is aborted, the listening socket stays, and nothing
// outside the namespace is touched. Needs root (a new network namespace);
// skips with a message otherwise.
#include "fence/tcp_connection_reset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "fresh_network_namespace.h"

namespace poolha::fence {
namespace {

using namespace testing;

TEST(TcpConnectionResetTest, AbortsEveryConnectionOfTheNamespaceButNotItsListener) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: it creates a network namespace";
  const std::string outcome = run_in_fresh_network_namespace([]() -> std::string {
    const auto connection = open_loopback_connection();
    if (!connection) return "cannot open a loopback connection";
    const TcpResetResult reset = reset_tcp_connections();
    if (!reset.ok) return "reset failed: " + reset.error;
    // Aborting one end resets the other, which may then be gone before ss
    // reaches it: one or two lines.
    std::string text = reset.connections == 1 || reset.connections == 2
                           ? "aborted"
                           : "aborted " + std::to_string(reset.connections);
    text += connection_broken(connection->client) ? ", broken" : ", still open";
    text += connection_broken(connection->served) ? ", broken" : ", still open";
    text += connect_to(connection->address) >= 0 ? ", listener serves" : ", listener gone";
    return text;
  });
  EXPECT_EQ(outcome, "aborted, broken, broken, listener serves");
}

}  // namespace
}  // namespace poolha::fence

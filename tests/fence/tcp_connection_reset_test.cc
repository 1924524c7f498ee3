// reset_tcp_connections in a network namespace of the test's own: every
// connection there is aborted, the listening socket stays, and nothing
// outside the namespace is touched. Needs root (a new network namespace);
// skips with a message otherwise.
#include "fence/tcp_connection_reset.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace poolha::fence {
namespace {

// A new namespace has its loopback down.
bool bring_loopback_up() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  const bool ok = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0 &&
                  (request.ifr_flags |= IFF_UP, ::ioctl(fd, SIOCSIFFLAGS, &request) == 0);
  ::close(fd);
  return ok;
}

int connect_to(const sockaddr_in& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Runs in a child inside a fresh namespace; the text it returns is the
// outcome the parent checks.
std::string reset_in_fresh_namespace() {
  if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare: ") + std::strerror(errno);
  if (!bring_loopback_up()) return "cannot bring lo up";
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener, 4) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return std::string("listener: ") + std::strerror(errno);
  }
  const int client = connect_to(address);
  const int served = ::accept(listener, nullptr, nullptr);
  if (client < 0 || served < 0) return std::string("connect: ") + std::strerror(errno);

  const TcpResetResult reset = reset_tcp_connections();
  if (!reset.ok) return "reset failed: " + reset.error;
  // Aborting one end resets the other, which may then be gone before ss
  // reaches it: one or two lines.
  std::string outcome = reset.connections == 1 || reset.connections == 2
                            ? "aborted"
                            : "aborted " + std::to_string(reset.connections);
  for (const int end : {client, served}) {
    char byte = 0;
    const bool broken = ::recv(end, &byte, 1, MSG_DONTWAIT) < 0 && errno != EAGAIN;
    outcome += broken ? ", broken" : ", still open";
  }
  const int again = connect_to(address);
  outcome += again >= 0 ? ", listener serves" : ", listener gone";
  return outcome;
}

TEST(TcpConnectionResetTest, AbortsEveryConnectionOfTheNamespaceButNotItsListener) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: it creates a network namespace";
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(report[0]);
    const std::string outcome = reset_in_fresh_namespace();
    const ssize_t written = ::write(report[1], outcome.data(), outcome.size());
    ::_exit(written == static_cast<ssize_t>(outcome.size()) ? 0 : 1);
  }
  ::close(report[1]);
  std::string outcome;
  char buffer[256];
  for (ssize_t n; (n = ::read(report[0], buffer, sizeof buffer)) > 0;) {
    outcome.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(report[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << outcome;
  EXPECT_EQ(outcome, "aborted, broken, broken, listener serves");
}

}  // namespace
}  // namespace poolha::fence

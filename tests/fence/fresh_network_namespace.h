// For the fence tests that reset TCP connections: a child process in a
// network namespace of its own, so nothing outside it is touched, and a
// loopback connection to reset there. Needs root.
#pragma once

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

namespace poolha::fence::testing {

// Runs `work` in a forked child inside a fresh network namespace with its
// loopback up and returns the text it returned, or what went wrong.
inline std::string run_in_fresh_network_namespace(const std::function<std::string()>& work) {
  int report[2];
  if (::pipe(report) != 0) return std::string("pipe: ") + std::strerror(errno);
  const pid_t child = ::fork();
  if (child < 0) return std::string("fork: ") + std::strerror(errno);
  if (child == 0) {
    ::close(report[0]);
    std::string outcome;
    if (::unshare(CLONE_NEWNET) != 0) {
      outcome = std::string("unshare: ") + std::strerror(errno);
    } else {
      // A new namespace has its loopback down.
      const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
      ifreq request{};
      std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
      const bool up = fd >= 0 && ::ioctl(fd, SIOCGIFFLAGS, &request) == 0 &&
                      (request.ifr_flags |= IFF_UP, ::ioctl(fd, SIOCSIFFLAGS, &request) == 0);
      if (fd >= 0) ::close(fd);
      outcome = up ? work() : "cannot bring lo up";
    }
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
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "the child failed: " + outcome;
  }
  return outcome;
}

inline int connect_to(const sockaddr_in& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A listener on the loopback and one connection to it, both ends open.
struct LoopbackConnection {
  sockaddr_in address{};
  int listener = -1;
  int client = -1;
  int served = -1;
};

inline std::optional<LoopbackConnection> open_loopback_connection() {
  LoopbackConnection c;
  c.address.sin_family = AF_INET;
  c.address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof c.address;
  c.listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (c.listener < 0 || ::bind(c.listener, reinterpret_cast<sockaddr*>(&c.address), length) != 0 ||
      ::listen(c.listener, 4) != 0 ||
      ::getsockname(c.listener, reinterpret_cast<sockaddr*>(&c.address), &length) != 0) {
    return std::nullopt;
  }
  c.client = connect_to(c.address);
  c.served = ::accept(c.listener, nullptr, nullptr);
  if (c.client < 0 || c.served < 0) return std::nullopt;
  return c;
}

// Whether the connection end `fd` was reset (reading it fails other than
// for lack of data).
inline bool connection_broken(int fd) {
  char byte = 0;
  return ::recv(fd, &byte, 1, MSG_DONTWAIT) < 0 && errno != EAGAIN;
}

}  // namespace poolha::fence::testing

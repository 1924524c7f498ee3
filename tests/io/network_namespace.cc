// `ip netns add` names the namespace under /run/netns, which setns() can
// open; the thread's own namespace is saved from /proc/thread-self.
#include "network_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

namespace poolha::io::testing {

namespace {

std::atomic<int> next_id{0};

void shell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status != 0) throw std::runtime_error(fmt::format("'{}' failed ({})", command, status));
}

}  // namespace

std::string NetworkNamespace::unavailable_reason() {
  if (geteuid() != 0) return "needs root to create a network namespace";
  if (std::system("ip -V > /dev/null 2>&1") != 0) return "needs the ip tool (iproute2)";
  return "";
}

NetworkNamespace::NetworkNamespace()
    : name_(fmt::format("poolha-io-test-{}-{}", getpid(), next_id++)) {
  shell(fmt::format("ip netns add {}", name_));
}

NetworkNamespace::~NetworkNamespace() {
  const std::string command = fmt::format("ip netns del {}", name_);
  if (std::system(command.c_str()) != 0) fmt::print(stderr, "warning: '{}' failed\n", command);
}

void NetworkNamespace::run(const std::string& command) const {
  shell(fmt::format("ip netns exec {} sh -c '{}'", name_, command));
}

NetworkNamespace::Entered::Entered(const NetworkNamespace& ns) {
  previous_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (previous_ < 0) throw std::runtime_error("cannot open this thread's network namespace");
  const std::string path = "/run/netns/" + ns.name();
  const int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0 || setns(target, CLONE_NEWNET) != 0) {
    if (target >= 0) close(target);
    close(previous_);
    throw std::runtime_error("cannot enter network namespace " + ns.name());
  }
  close(target);
}

NetworkNamespace::Entered::~Entered() {
  if (setns(previous_, CLONE_NEWNET) != 0) std::abort();  // never run on in the wrong namespace
  close(previous_);
}

}  // namespace poolha::io::testing

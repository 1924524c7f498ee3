#include "localpool/network_namespace_thread.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace poolha::localpool {

void enter_network_namespace(const std::string& name) {
  const std::string path = "/run/netns/" + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(), "open network namespace " + path);
  }
  const int rc = ::setns(fd, CLONE_NEWNET);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) {
    throw std::system_error(saved, std::generic_category(), "enter network namespace " + name);
  }
}

}  // namespace poolha::localpool

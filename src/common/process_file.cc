#include "common/process_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace poolha {

std::optional<std::string> read_rest_of_file(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> read_process_file(pid_t pid, const std::string& name) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> text = read_rest_of_file(fd);
  ::close(fd);
  return text;
}

}  // namespace poolha

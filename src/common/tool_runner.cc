#include "common/tool_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace poolha {

ToolResult run_tool(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::invalid_argument("run_tool: empty command");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<char*> raw;
  for (const std::string& arg : argv) raw.push_back(const_cast<char*>(arg.c_str()));
  raw.push_back(nullptr);
  pid_t pid = 0;
  const int error = ::posix_spawnp(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (error != 0) {
    ::close(pipe_fds[0]);
    throw std::system_error(error, std::generic_category(), "cannot run " + argv[0]);
  }
  ToolResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string run_tool_checked(const std::vector<std::string>& argv) {
  ToolResult result = run_tool(argv);
  if (result.exit_code != 0) {
    throw std::runtime_error("'" + command_text(argv) + "' failed with exit status " +
                             std::to_string(result.exit_code) +
                             (result.output.empty() ? "" : ": " + result.output));
  }
  return result.output;
}

void run_cleanup_step(const std::vector<std::string>& argv) {
  try {
    const ToolResult result = run_tool(argv);
    if (result.exit_code != 0) {
      std::fprintf(stderr, "cleanup step: '%s' failed: %s\n", command_text(argv).c_str(),
                   result.output.c_str());
    }
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "cleanup step: '%s' failed: %s\n", command_text(argv).c_str(), e.what());
  }
}

bool tool_succeeds(const std::vector<std::string>& argv) {
  try {
    return run_tool(argv).exit_code == 0;
  } catch (const std::system_error&) {
    return false;
  }
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) {
    if (!text.empty()) text += ' ';
    text += arg;
  }
  return text;
}

}  // namespace poolha

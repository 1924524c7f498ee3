#include "vm/process/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace poolha::vm {
namespace {

// What the child reports through the exec-status pipe when it cannot exec.
struct ChildFailure {
  int stage = 0;  // kStageSetsid or kStageExec
  int error = 0;  // errno
};
constexpr int kStageSetsid = 1;
constexpr int kStageExec = 2;
constexpr int kStageNotReleased = 3;

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

std::string variable_name(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string text(*entry);
    bool replaced = false;
    for (const auto& e : extra) replaced = replaced || variable_name(e) == variable_name(text);
    if (!replaced) out.push_back(text);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

UniqueFd open_or_throw(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno(errno, "open " + path.string());
  return UniqueFd(fd);
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void become_child(char* const* argv, char* const* envp, int input, int output,
                               int status_pipe, int release_pipe) {
  ChildFailure failure;
  char go = 0;
  ssize_t released = 0;
  if (::setsid() < 0) {
    failure = {kStageSetsid, errno};
  } else if (release_pipe >= 0 && ((released = ::read(release_pipe, &go, 1)) != 1)) {
    // The parent died or gave up before recording us: run nothing.
    failure = {kStageNotReleased, released < 0 ? errno : 0};
  } else {
    // A VM must not inherit the daemon's blocked or ignored signals: SIGTERM
    // from the stop path has to reach it with its default meaning.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &default_action, nullptr);
    ::dup2(input, STDIN_FILENO);
    if (output >= 0) {
      ::dup2(output, STDOUT_FILENO);
      ::dup2(output, STDERR_FILENO);
    }
    // Descriptors the daemon opened without O_CLOEXEC (sockets, the
    // statefile) stay out of the VM.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execvpe(argv[0], argv, envp);
    failure = {kStageExec, errno};
  }
  [[maybe_unused]] const ssize_t ignored = ::write(status_pipe, &failure, sizeof failure);
  ::_exit(127);
}

}  // namespace

SpawnedProcess spawn_session_leader(const SpawnRequest& request) {
  if (request.argv.empty() || request.argv[0].empty()) {
    throw std::invalid_argument("spawn: empty command");
  }
  std::vector<std::string> argv_storage = request.argv;
  std::vector<std::string> env_storage = child_environment(request.extra_environment);
  const std::vector<char*> argv = pointers_to(argv_storage);
  const std::vector<char*> envp = pointers_to(env_storage);

  const UniqueFd input = open_or_throw(request.input.value_or("/dev/null"), O_RDONLY);
  UniqueFd output;
  if (request.output) output = open_or_throw(*request.output, O_WRONLY | O_CREAT | O_APPEND);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  UniqueFd status_read(pipe_fds[0]);
  UniqueFd status_write(pipe_fds[1]);
  UniqueFd release_read;
  UniqueFd release_write;
  if (request.before_exec) {
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
    release_read = UniqueFd(pipe_fds[0]);
    release_write = UniqueFd(pipe_fds[1]);
  }

  const pid_t pid = ::fork();
  if (pid < 0) throw_errno(errno, "fork");
  if (pid == 0) {
    become_child(argv.data(), envp.data(), input.get(), output.get(), status_write.get(),
                 release_read.get());
  }
  status_write.reset();
  release_read.reset();

  if (request.before_exec) {
    try {
      request.before_exec(pid);
    } catch (...) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);  // in case it has not reached setsid yet
      int ignored_status = 0;
      while (::waitpid(pid, &ignored_status, 0) < 0 && errno == EINTR) {
      }
      throw;
    }
    const char go = 1;
    ssize_t sent;
    do {
      sent = ::write(release_write.get(), &go, 1);
    } while (sent < 0 && errno == EINTR);
    release_write.reset();
  }

  // The pipe closes without data when exec succeeds (O_CLOEXEC).
  ChildFailure failure;
  ssize_t got;
  do {
    got = ::read(status_read.get(), &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    int ignored_status = 0;
    while (::waitpid(pid, &ignored_status, 0) < 0 && errno == EINTR) {
    }
    const std::string what = failure.stage == kStageSetsid        ? std::string("setsid")
                             : failure.stage == kStageNotReleased ? std::string("release")
                                                                  : "exec " + request.argv[0];
    throw_errno(failure.error, what);
  }

  // Through syscall(2): glibc 2.36's <sys/pidfd.h> lacks C linkage in C++.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int error = errno;
    ::kill(-pid, SIGKILL);
    int ignored_status = 0;
    while (::waitpid(pid, &ignored_status, 0) < 0 && errno == EINTR) {
    }
    throw_errno(error, "pidfd_open");
  }
  return SpawnedProcess{pid, UniqueFd(pidfd)};
}

}  // namespace poolha::vm

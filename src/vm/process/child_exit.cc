#include "vm/process/child_exit.h"

#include <sys/wait.h>

#include <cerrno>
#include <cstring>

namespace poolha::vm {

std::string ExitStatus::describe() const {
  switch (kind) {
    case Kind::kExited:
      return "exit status " + std::to_string(value);
    case Kind::kSignaled:
      return "killed by signal " + std::to_string(value) + " (" + ::strsignal(value) + ")";
    case Kind::kUnknown:
      break;
  }
  return "exit status unknown";
}

ChildExitWatch::ChildExitWatch(asio::io_context& io, UniqueFd pidfd)
    : pidfd_(io, pidfd.release()) {}

void ChildExitWatch::async_wait(std::function<void(std::error_code)> on_ready) {
  pidfd_.async_wait(asio::posix::stream_descriptor::wait_read,
                    [on_ready = std::move(on_ready)](std::error_code ec) { on_ready(ec); });
}

ExitStatus ChildExitWatch::reap() {
  if (reaped_) return status_;
  siginfo_t info{};
  int result;
  do {
    result = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.native_handle()),
                      &info, WEXITED);
  } while (result < 0 && errno == EINTR);
  if (result < 0) {
    // ECHILD: the process is not our child (adopted); only its end is known.
    status_ = ExitStatus{};
  } else if (info.si_code == CLD_EXITED) {
    status_ = ExitStatus{ExitStatus::Kind::kExited, info.si_status};
  } else {
    status_ = ExitStatus{ExitStatus::Kind::kSignaled, info.si_status};
  }
  reaped_ = true;
  return status_;
}

}  // namespace poolha::vm

// Learning that a VM's main process exited, without a SIGCHLD handler: a
// pidfd becomes readable when its process exits, which the event loop can
// wait for like any socket. Reaping through the pidfd (waitid P_PIDFD) then
// cannot take another child's status by mistake.
#pragma once

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <functional>
#include <string>
#include <system_error>

#include "vm/process/unique_fd.h"

namespace poolha::vm {

struct ExitStatus {
  enum class Kind {
    kExited,    // `value` is the exit code
    kSignaled,  // `value` is the signal that ended it
    kUnknown,   // not our child (adopted): no status to be had
  };
  Kind kind = Kind::kUnknown;
  int value = 0;

  bool clean() const { return kind == Kind::kExited && value == 0; }
  // "exit status 3", "killed by signal 9 (Killed)", "exit status unknown".
  std::string describe() const;
};

class ChildExitWatch {
 public:
  ChildExitWatch(asio::io_context& io, UniqueFd pidfd);

  // `on_ready` runs from the event loop once the process has exited (or with
  // an error when the wait is cancelled); call reap() from it. The handler
  // may outlive this object: it must check that its owner still exists.
  void async_wait(std::function<void(std::error_code)> on_ready);
  // Collects the exit status; returns at once when the process has already
  // exited. A process that is not our child yields Kind::kUnknown.
  ExitStatus reap();
  bool reaped() const { return reaped_; }

 private:
  asio::posix::stream_descriptor pidfd_;
  bool reaped_ = false;
  ExitStatus status_;
};

}  // namespace poolha::vm

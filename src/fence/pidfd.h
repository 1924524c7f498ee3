// Process file descriptors (Linux 5.3+): a handle on one process that a
// reused pid cannot redirect. glibc 2.36 declares its wrappers without C
// linkage for C++ (fixed in 2.37), so these go through syscall(2).
#pragma once

#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace poolha::fence {

// A pidfd for `pid`, or -1 with errno set.
inline int open_pidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// 0, or -1 with errno set (ESRCH once the process has been reaped).
inline int signal_pidfd(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

}  // namespace poolha::fence

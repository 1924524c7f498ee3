// Starting a VM's process: fork and exec in a new session, so the process
// leads its own process group and every descendant can be signalled and
// fenced as one. The caller learns synchronously whether exec succeeded.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vm/process/unique_fd.h"

namespace poolha::vm {

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  // "KEY=value" entries added to the daemon's environment (replacing a
  // variable of the same name).
  std::vector<std::string> extra_environment;
  // stdin reads this file; /dev/null when unset.
  std::optional<std::filesystem::path> input;
  // stdout and stderr are appended to this file; inherited when unset.
  std::optional<std::filesystem::path> output;
  // Runs in the parent after fork, while the child waits before exec; the
  // child execs only after it returns. VM drivers record the process group
  // here, so no VM ever runs without the fencer knowing it: if the daemon
  // dies first, the child sees its release pipe close and exits without
  // running anything. If it throws, the child is killed and the exception
  // propagates.
  std::function<void(pid_t)> before_exec;
};

struct SpawnedProcess {
  pid_t pid = 0;  // also its process group and session id
  UniqueFd pidfd;
};

// Returns once the child has exec'd. Throws std::system_error carrying the
// child's errno when it could not (e.g. "exec /no/such: No such file or
// directory"); the failed child is reaped before the throw.
SpawnedProcess spawn_session_leader(const SpawnRequest& request);

}  // namespace poolha::vm

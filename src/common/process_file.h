// Reading a file under /proc/PID/ of a process that may exit at any moment.
// Once the process is gone, reads there fail with ESRCH even through a file
// descriptor opened while it lived, and std::ifstream turns that read error
// into an exception from inside the library. Callers that scan processes want
// "gone" instead, so these reads use read(2) and report no text.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace poolha {

// The whole of /proc/<pid>/<name> (stat, status, cmdline, environ, ...), or
// nullopt when it cannot be opened or read: the process is gone, or was never
// there.
std::optional<std::string> read_process_file(pid_t pid, const std::string& name);

// The rest of an open file, or nullopt on a read error (EINTR is retried).
// The descriptor stays open.
std::optional<std::string> read_rest_of_file(int fd);

}  // namespace poolha

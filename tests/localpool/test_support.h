// Helpers shared by the local-pool tests: a pool that is only planned and
// written (no daemon needed), and a stand-in for the poolha binary whose
// `fencer` is the real one and whose `daemon` is a process that only waits.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "localpool/local_pool.h"

namespace poolha::localpool::testing {

// The poolha binary the build made, or empty when the tests were built
// without it.
std::filesystem::path real_poolha();

// Writes an executable script to `dir`/poolha: `fencer` runs the real
// fencer, `daemon` runs `daemon_command` (a shell command line).
std::filesystem::path write_fake_poolha(const std::filesystem::path& dir,
                                        const std::string& daemon_command);

// Whether a process with this PID exists (zombies included).
bool process_exists(pid_t pid);

}  // namespace poolha::localpool::testing

// The module's command-line entry points, for src/cli to wire up:
//
//   poolha fencer [--socket PATH] [--state-dir DIR] [--vm-registry DIR] [--host-name NAME]
//   poolha fence-reason [--state-dir DIR] [--json]
#pragma once

#include <filesystem>
#include <iosfwd>

#include "fence/process_fencer.h"

namespace poolha::fence {

// Runs the process fencer until SIGTERM or SIGINT. Locks its memory and
// makes itself the OOM killer's last choice when it may (warns otherwise),
// since the fencer must still run when the host is short of memory.
// Returns 0 after a clean stop, 1 when it cannot start (printed to stderr).
int run_fencer(const FencerOptions& options);

// Prints the last fence reason record of this host. Returns 0 when one was
// shown, 1 when the host has none, 2 when it cannot be read.
int show_fence_reason(const std::filesystem::path& state_dir, bool as_json, std::ostream& out,
                      std::ostream& err);

}  // namespace poolha::fence

// `poolha fencer` (the per-host process fencer) and `poolha fence-reason`
// (why this host last fenced), wired to src/fence.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers both subcommands; their exit status lands in `exit_code`.
void add_fence_commands(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

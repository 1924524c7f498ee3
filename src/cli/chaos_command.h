// `poolha chaos`: a randomized fault run on a real pool of daemons on this
// machine, judged by the disk oracle (src/chaos/chaos_run.h).
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers the subcommand; when it runs, its exit status lands in `exit_code`.
void add_chaos_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

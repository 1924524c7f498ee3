// `poolha pool-create`: writes the first database of a new pool to the
// heartbeat SR named in a daemon configuration, before the daemons start.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers the subcommand; when it runs, its exit status lands in `exit_code`.
void add_pool_create_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

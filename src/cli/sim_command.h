// `poolha sim`: runs scenario files or random fault sweeps in the simulator.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers the subcommand; when it runs, its exit status lands in `exit_code`.
void add_sim_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

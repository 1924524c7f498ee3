// `poolha xe ...`: the xe command, for hosts where only poolha is installed.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers the subcommand; when it runs, its exit status lands in `exit_code`.
void add_xe_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

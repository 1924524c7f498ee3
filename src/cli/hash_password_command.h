// `poolha hash-password`: makes the `api.password_hash` value of the daemon's
// configuration from a password read on standard input, so the password
// itself never appears in a file or on a command line.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers the subcommand; when it runs, its exit status lands in `exit_code`.
void add_hash_password_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

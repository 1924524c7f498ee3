// `poolha demo`: a pool of real daemons on this machine, a host's power cut
// and the failover that follows, with a timeline (src/localpool/demo.h).
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

// Registers the subcommand; when it runs, its exit status lands in `exit_code`.
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

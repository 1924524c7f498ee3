// `poolha daemon --config FILE`: runs this host's HA daemon in the
// foreground until SIGTERM or SIGINT (docs/daemon.md).
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

void add_daemon_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

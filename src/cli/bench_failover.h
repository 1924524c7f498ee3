// `poolha bench-failover`: the simulated failover latency of a slave crash
// and of a master crash (from power loss to the crashed host's protected VMs
// starting on survivors), as a distribution over many seeded runs, in
// multiples of the HA timeout T.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

void add_bench_failover_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

// `poolha bench-sim`: how many simulated seconds the simulator runs per wall
// second for a steady pool (optionally with one host crashing halfway).
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

// `poolha bench-report`: the performance report (src/benchpool): failover
// latency and daemon usage on real daemons, planner timings and simulator
// speed, printed and written to bench/RESULTS.md.
#pragma once

#include <CLI/CLI.hpp>

namespace poolha::cli {

void add_bench_report_command(CLI::App& app, int& exit_code);

}  // namespace poolha::cli

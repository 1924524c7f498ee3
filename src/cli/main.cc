// The `poolha` command line.
#include <CLI/CLI.hpp>

#include "cli/bench_command.h"
#include "cli/bench_failover.h"
#include "cli/bench_report_command.h"
#include "cli/chaos_command.h"
#include "cli/daemon_command.h"
#include "cli/demo_command.h"
#include "cli/disk_writer_command.h"
#include "cli/fence_commands.h"
#include "cli/hash_password_command.h"
#include "cli/pool_create_command.h"
#include "cli/sim_command.h"
#include "cli/xe_command.h"

int main(int argc, char** argv) {
  CLI::App app{"poolha: native high availability for a pool of virtualization hosts"};
  app.require_subcommand(1);
  int exit_code = 0;
  poolha::cli::add_sim_command(app, exit_code);
  poolha::cli::add_bench_command(app, exit_code);
  poolha::cli::add_bench_failover_command(app, exit_code);
  poolha::cli::add_bench_report_command(app, exit_code);
  poolha::cli::add_fence_commands(app, exit_code);
  poolha::cli::add_xe_command(app, exit_code);
  poolha::cli::add_hash_password_command(app, exit_code);
  poolha::cli::add_pool_create_command(app, exit_code);
  poolha::cli::add_demo_command(app, exit_code);
  poolha::cli::add_daemon_command(app, exit_code);
  poolha::cli::add_disk_writer_commands(app, exit_code);
  poolha::cli::add_chaos_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Help and version requests print and succeed. Any other parse error (an
    // unknown option, a value that does not convert) is a usage error: exit
    // status 2, the same as the commands' own checks of their values.
    return app.exit(error) == 0 ? 0 : 2;
  }
  return exit_code;
}

#include "cli/xe_command.h"

#include <iostream>
#include <string>
#include <vector>

#include "xe/http_connection.h"
#include "xe/xe_main.h"

namespace poolha::cli {

void add_xe_command(CLI::App& app, int& exit_code) {
  CLI::App* xe = app.add_subcommand("xe", "run an xe command against a pool (see `xe help`)");
  // Everything after `xe` is xe's own syntax (key=value, -pw, --minimal).
  xe->prefix_command();
  xe->callback([xe, &exit_code] {
    const std::vector<std::string> args = xe->remaining();
    exit_code =
        xe::run_xe(args, xe::process_environment(), xe::connect_over_http, std::cout, std::cerr);
  });
}

}  // namespace poolha::cli

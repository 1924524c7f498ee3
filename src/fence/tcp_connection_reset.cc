#include "fence/tcp_connection_reset.h"

#include <exception>
#include <sstream>

#include "common/tool_runner.h"

namespace poolha::fence {

TcpResetResult reset_tcp_connections() {
  // Without a state filter ss lists (and -K destroys) every TCP socket but
  // listening ones: established, and orphans still sending (FIN-WAIT). -H
  // drops the header, so every output line is one aborted connection.
  const std::vector<std::string> command{"ss", "-K", "-H", "-t", "-n"};
  TcpResetResult result;
  try {
    const ToolResult run = run_tool(command);
    if (run.exit_code != 0) {
      result.error = "'" + command_text(command) + "' failed with exit status " +
                     std::to_string(run.exit_code) + (run.output.empty() ? "" : ": " + run.output);
      return result;
    }
    std::istringstream lines(run.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.find_first_not_of(" \t") != std::string::npos) ++result.connections;
    }
    result.ok = true;
  } catch (const std::exception& error) {
    result.error = error.what();
  }
  return result;
}

}  // namespace poolha::fence

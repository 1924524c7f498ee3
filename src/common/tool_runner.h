// Running a short-lived tool (ip, poolha pool-create) to completion and
// keeping what it printed, so a failure can be reported with the tool's own
// words instead of a bare exit status.
#pragma once

#include <string>
#include <vector>

namespace poolha {

struct ToolResult {
  int exit_code = -1;  // the exit status, or 128 + signal when killed by one
  std::string output;  // standard output and standard error, interleaved
};

// argv[0] is looked up on PATH when it has no '/'. Throws std::system_error
// when the tool cannot be started at all.
ToolResult run_tool(const std::vector<std::string>& argv);

// run_tool, but a non-zero exit is a std::runtime_error naming the command
// and carrying its output.
std::string run_tool_checked(const std::vector<std::string>& argv);

// Whether the tool ran and exited 0; a tool that cannot be started counts as
// failing. For probes ("does this link exist?") where the reason is not needed.
bool tool_succeeds(const std::vector<std::string>& argv);

// For teardown steps, which go on after a failure: runs the tool and prints
// the command and its output to stderr when it fails.
void run_cleanup_step(const std::vector<std::string>& argv);

// The command line as a person would type it, for messages.
std::string command_text(const std::vector<std::string>& argv);

}  // namespace poolha

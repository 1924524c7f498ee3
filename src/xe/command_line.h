// An xe command line, after the connection settings were taken out: the
// command name, then key=value parameters. "--name" is the switch form of
// name=true (--force, --minimal, --multiple); a word without '=' is a
// parameter with an empty value, as in xe.
#pragma once

#include <string>
#include <vector>

#include "xe/params.h"

namespace poolha::xe {

struct CommandLine {
  std::string name;
  Params params;
};

// Throws SyntaxError when the first word is not a command name or a
// single-dash switch lacks its value or is unknown.
CommandLine parse_command_line(const std::vector<std::string>& args);

}  // namespace poolha::xe

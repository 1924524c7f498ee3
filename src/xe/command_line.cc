#include "xe/command_line.h"

#include "common/check.h"
#include "xe/cli_error.h"

namespace poolha::xe {

CommandLine parse_command_line(const std::vector<std::string>& args) {
  POOLHA_CHECK(!args.empty(), "a command line needs at least the command name");
  CommandLine line;
  line.name = args.front();
  if (line.name.find('=') != std::string::npos || line.name.rfind("-", 0) == 0) {
    throw SyntaxError("command name is missing");
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) == 0) {
      line.params.append({arg.substr(2), "true"});
      continue;
    }
    if (arg.rfind("-", 0) == 0) {
      // The single-dash switches xe knows are connection settings, already
      // taken out when followed by a value.
      if (arg == "-s" || arg == "-h" || arg == "-p" || arg == "-u" || arg == "-pw" ||
          arg == "-pwf") {
        throw SyntaxError("Switch " + arg + " requires a parameter");
      }
      throw SyntaxError("Unknown switch: " + arg);
    }
    const auto equals = arg.find('=');
    if (equals == std::string::npos) {
      line.params.append({arg, ""});
    } else {
      line.params.append({arg.substr(0, equals), arg.substr(equals + 1)});
    }
  }
  return line;
}

}  // namespace poolha::xe

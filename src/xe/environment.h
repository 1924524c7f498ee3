// What xe reads from its surroundings besides the command line: environment
// variables and files (~/.xe, a password file). Behind functions so tests
// supply their own.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace poolha::xe {

struct XeEnvironment {
  // The value of an environment variable, nullopt when unset.
  std::function<std::optional<std::string>(const std::string& name)> variable;
  // A file's contents, nullopt when it cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
};

// The process's real environment and file system.
XeEnvironment process_environment();

}  // namespace poolha::xe

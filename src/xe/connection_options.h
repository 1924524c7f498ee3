// Where and as whom xe connects, and the arguments left for the command.
//
// As xe, settings come from, in rising priority: built-in defaults, the file
// ~/.xe (key=value lines), the environment variable XE_EXTRA_ARGS
// (comma-separated key=value items, "\," for a literal comma) and the
// command line. Keys: server, port, username, password, passwordfile, debug,
// nossl. On the command line they may also be given as -s, -p, -u, -pw, -pwf
// (and -h for -s), --debug and --nossl, anywhere among the command's own
// arguments. Other keys in ~/.xe or XE_EXTRA_ARGS become parameters of the
// command, appended after the command line's own.
#pragma once

#include <string>
#include <vector>

#include "xe/environment.h"

namespace poolha::xe {

// poolha's API listens on plain HTTP; xe's own default without TLS is port 80.
inline constexpr int kDefaultPort = 80;

struct ConnectionSettings {
  std::string server = "127.0.0.1";
  int port = kDefaultPort;
  std::string username = "root";
  std::string password;
  bool debug = false;  // print every XenAPI call and answer on stderr
};

struct ClientOptions {
  ConnectionSettings connection;
  std::vector<std::string> command_args;  // the command name and its arguments
  bool help = false;                      // --help or -help was given
  std::vector<std::string> warnings;      // problems that do not stop xe
};

// Reads ~/.xe, XE_EXTRA_ARGS, the command line and, if named, the password
// file. Throws CliFailure for an unusable port or password file.
ClientOptions read_client_options(const std::vector<std::string>& args, const XeEnvironment& env);

}  // namespace poolha::xe

// Runs the xe command in-process against a FakeXenApi, with a made-up
// environment and files, capturing exit status, stdout and stderr; and runs
// shell script text (assignments, xe and echo lines) the way bash would.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_xen_api.h"
#include "shell_words.h"
#include "xe/connection_options.h"

namespace poolha::xe::testing {

struct XeRun {
  int status = -1;
  std::string out;
  std::string err;
};

inline constexpr const char* kHome = "/home/operator";

class XeHarness {
 public:
  // The operator's ~/.xe names the pool master and the credentials.
  XeHarness();

  // `args` are the words after "xe".
  XeRun run(const std::vector<std::string>& args);
  // A command line starting with "xe", split as bash splits it.
  XeRun run_line(std::string_view line);

  FakeXenApi server;
  std::map<std::string, std::string> variables;  // the process environment
  std::map<std::string, std::string> files;      // path -> contents
  // When set, connecting fails with this transport error.
  std::optional<std::string> refuse_connections;
  int connections = 0;
  ConnectionSettings last_settings;
};

// Runs script text line by line: NAME=word assignments (with command
// substitution), "xe ..." and "echo ..." commands. A leading "$ " prompt
// is dropped, as a reader of the documents would.
class ScriptRunner {
 public:
  explicit ScriptRunner(XeHarness& xe);

  void run(std::string_view script);

  const std::string& output() const { return output_; }  // stdout of the whole script
  const std::vector<XeRun>& xe_runs() const { return runs_; }
  const std::map<std::string, std::string>& variables() const { return shell_.variables; }

 private:
  std::string run_command(const std::vector<std::string>& words);

  XeHarness& xe_;
  ShellState shell_;
  std::string output_;
  std::vector<XeRun> runs_;
};

}  // namespace poolha::xe::testing

// Every long-running process the local pool starts (fencers, daemons), by
// PID. Each one leads its own session and process group, so a signal to the
// group reaches whatever it started too, and nothing it runs outlives the
// table: the destructor kills what is still running.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/time.h"

namespace poolha::localpool {

struct ProcessSpec {
  std::string name;               // for messages: "host-2 daemon"
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::filesystem::path log;      // standard output and error are appended here
};

class ProcessTable {
 public:
  ProcessTable() = default;
  ProcessTable(const ProcessTable&) = delete;
  ProcessTable& operator=(const ProcessTable&) = delete;
  ~ProcessTable();

  // Returns once the process has exec'd. Throws std::system_error (with the
  // exec error) when it could not start.
  pid_t start(const ProcessSpec& spec);

  // Whether the process has not exited yet (an exited one is reaped here).
  bool running(pid_t pid);
  // Its exit status text once it has exited ("exit status 1", "killed by
  // signal 9"), empty while it runs.
  std::string exit_description(pid_t pid);

  // Signals the whole process group; a group that is gone is not an error.
  void signal(pid_t pid, int signal_number);
  // SIGKILL to the group, then waits until the process is reaped.
  void kill(pid_t pid);
  // SIGTERM to the group, waits up to `grace` for the process to exit, then
  // kills it. Returns whether it exited on its own.
  bool terminate(pid_t pid, Duration grace);
  // Kills every process that still runs.
  void kill_all();

  // The PIDs of the processes that still run.
  std::vector<pid_t> running_pids();
  const std::string& name_of(pid_t pid) const;

 private:
  struct Entry {
    std::string name;
    bool exited = false;
    int status = 0;  // waitpid status once exited
  };
  // Reaps the process if it has exited; `block` waits for it.
  void reap(pid_t pid, Entry& entry, bool block);
  Entry& entry(pid_t pid);

  std::map<pid_t, Entry> processes_;
};

}  // namespace poolha::localpool

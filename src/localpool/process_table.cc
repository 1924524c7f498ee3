#include "localpool/process_table.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "vm/process/process_group.h"
#include "vm/process/spawn.h"

namespace poolha::localpool {

ProcessTable::~ProcessTable() {
  try {
    kill_all();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "localpool: could not stop every process: %s\n", error.what());
  }
}

pid_t ProcessTable::start(const ProcessSpec& spec) {
  vm::SpawnRequest request;
  request.argv = spec.argv;
  request.output = spec.log;
  vm::SpawnedProcess process = vm::spawn_session_leader(request);
  processes_[process.pid] = Entry{spec.name, false, 0};
  return process.pid;
}

ProcessTable::Entry& ProcessTable::entry(pid_t pid) {
  const auto it = processes_.find(pid);
  if (it == processes_.end()) {
    throw std::invalid_argument("process " + std::to_string(pid) + " was not started here");
  }
  return it->second;
}

const std::string& ProcessTable::name_of(pid_t pid) const {
  const auto it = processes_.find(pid);
  if (it == processes_.end()) {
    throw std::invalid_argument("process " + std::to_string(pid) + " was not started here");
  }
  return it->second.name;
}

void ProcessTable::reap(pid_t pid, Entry& process, bool block) {
  if (process.exited) return;
  int status = 0;
  for (;;) {
    const pid_t reaped = ::waitpid(pid, &status, block ? 0 : WNOHANG);
    if (reaped == pid) {
      process.exited = true;
      process.status = status;
      return;
    }
    if (reaped == 0) return;
    if (errno == EINTR) continue;
    // ECHILD: someone else reaped it; it is gone either way.
    process.exited = true;
    return;
  }
}

bool ProcessTable::running(pid_t pid) {
  Entry& process = entry(pid);
  reap(pid, process, false);
  return !process.exited;
}

std::string ProcessTable::exit_description(pid_t pid) {
  Entry& process = entry(pid);
  reap(pid, process, false);
  if (!process.exited) return "";
  if (WIFEXITED(process.status))
    return "exit status " + std::to_string(WEXITSTATUS(process.status));
  if (WIFSIGNALED(process.status))
    return "killed by signal " + std::to_string(WTERMSIG(process.status));
  return "exited";
}

void ProcessTable::signal(pid_t pid, int signal_number) {
  Entry& process = entry(pid);
  // The group outlives its leader when the leader left children behind, so
  // it is signalled even after the leader has exited.
  vm::signal_group(pid, signal_number);
  reap(pid, process, false);
}

void ProcessTable::kill(pid_t pid) {
  Entry& process = entry(pid);
  vm::signal_group(pid, SIGKILL);
  reap(pid, process, true);
}

bool ProcessTable::terminate(pid_t pid, Duration grace) {
  Entry& process = entry(pid);
  reap(pid, process, false);
  if (process.exited) return true;
  vm::signal_group(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    reap(pid, process, false);
    if (process.exited) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid);
  return false;
}

void ProcessTable::kill_all() {
  for (auto& [pid, process] : processes_) {
    reap(pid, process, false);
    // Even an exited leader may have left members of its group behind.
    vm::signal_group(pid, SIGKILL);
    reap(pid, process, true);
  }
}

std::vector<pid_t> ProcessTable::running_pids() {
  std::vector<pid_t> pids;
  for (auto& [pid, process] : processes_) {
    reap(pid, process, false);
    if (!process.exited) pids.push_back(pid);
  }
  return pids;
}

}  // namespace poolha::localpool

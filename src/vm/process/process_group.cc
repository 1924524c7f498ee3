#include "vm/process/process_group.h"

#include <spdlog/spdlog.h>

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include "common/process_file.h"

namespace poolha::vm {
namespace {

struct ProcStat {
  char state = 0;
  pid_t process_group = 0;
};

// /proc/PID/stat is "pid (comm) state ppid pgrp ..."; comm may hold spaces
// and parentheses, so the fields start after the last ')'. False when the
// process is gone.
bool read_stat(pid_t pid, ProcStat& out) {
  const std::optional<std::string> text = read_process_file(pid, "stat");
  if (!text) return false;
  const std::size_t close = text->rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(text->substr(close + 1));
  pid_t parent = 0;
  return static_cast<bool>(fields >> out.state >> parent >> out.process_group);
}

bool is_pid_name(const std::string& name, pid_t& pid) {
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  return ec == std::errc() && end == name.data() + name.size() && pid > 0;
}

bool exited(char state) {
  return state == 'Z' || state == 'X' || state == 'x';
}

}  // namespace

std::vector<pid_t> live_group_members(pid_t process_group) {
  std::vector<pid_t> members;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    pid_t pid = 0;
    if (!is_pid_name(entry.path().filename().string(), pid)) continue;
    ProcStat stat;
    // A process that exits while we look is simply not a member any more.
    if (!read_stat(pid, stat)) continue;
    if (stat.process_group == process_group && !exited(stat.state)) members.push_back(pid);
  }
  if (error) throw std::system_error(error, "list /proc");
  return members;
}

bool group_has_live_members(pid_t process_group) {
  return !live_group_members(process_group).empty();
}

bool group_member_has_environment(pid_t process_group, const std::string& entry) {
  for (const pid_t pid : live_group_members(process_group)) {
    // A member that exits meanwhile has no environment left to match.
    const std::optional<std::string> environment = read_process_file(pid, "environ");
    if (!environment) continue;
    std::size_t at = 0;
    while (at < environment->size()) {
      std::size_t end = environment->find('\0', at);
      if (end == std::string::npos) end = environment->size();
      if (environment->compare(at, end - at, entry) == 0) return true;
      at = end + 1;
    }
  }
  return false;
}

void signal_group(pid_t process_group, int signal) {
  if (process_group <= 0) throw std::invalid_argument("not a process group");
  if (::kill(-process_group, signal) != 0 && errno != ESRCH) {
    throw std::system_error(errno, std::generic_category(),
                            "kill process group " + std::to_string(process_group));
  }
}

void reap_exited_children_of_group(pid_t process_group) {
  int status = 0;
  while (::waitpid(-process_group, &status, WNOHANG) > 0) {
  }
}

void signal_group_logged(const std::string& vm, pid_t process_group, int signal) noexcept {
  try {
    signal_group(process_group, signal);
  } catch (const std::exception& e) {
    spdlog::error("VM {}: {}", vm, e.what());
  }
}

}  // namespace poolha::vm

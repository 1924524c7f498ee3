#include "fence/process_fence.h"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <set>
#include <vector>

#include "fence/pidfd.h"
#include "fence/tcp_connection_reset.h"
#include "vm/process_registry.h"

namespace poolha::fence {
namespace {

// How long to wait for the killed daemon to exit before listing the VMs
// again. A process in uninterruptible sleep can take longer; the fence
// goes on regardless.
constexpr int kDaemonExitWaitMs = 1000;

// The registry is read twice; a problem is worth reporting once.
void note(std::vector<std::string>& problems, std::string problem) {
  if (std::find(problems.begin(), problems.end(), problem) == problems.end()) {
    problems.push_back(std::move(problem));
  }
}

// Every VM group the registry holds now; problems are noted, never thrown.
std::map<std::string, pid_t> list_vm_groups(const std::filesystem::path& dir,
                                            std::vector<std::string>& problems) {
  try {
    std::vector<std::string> malformed;
    auto groups = vm::VmProcessRegistry(dir).list(&malformed);
    for (const std::string& name : malformed) {
      note(problems, "VM process registry entry '" + name +
                         "' is not a process group id; nothing killed for it");
    }
    return groups;
  } catch (const std::exception& error) {
    note(problems, std::string("cannot read the VM process registry: ") + error.what());
    return {};
  }
}

void add_vm_actions(const std::map<std::string, pid_t>& groups, std::set<std::string>& seen,
                    std::vector<FenceAction>& actions) {
  for (const auto& [uuid, group] : groups) {
    if (!seen.insert(uuid + "/" + std::to_string(group)).second) continue;
    FenceAction action;
    action.kind = FenceAction::Kind::kKillVmGroup;
    action.vm = uuid;
    action.id = group;
    actions.push_back(action);
  }
}

void save(const ProcessFenceRecordSetup& setup, FenceRecord& record) {
  try {
    write_fence_record(setup.state_dir, record);
  } catch (const std::exception& error) {
    spdlog::error("fence: cannot write the fence reason record: {}", error.what());
    note(record.problems, std::string("cannot write the fence reason record: ") + error.what());
  }
}

// A kill that found no process is not a failure: it was already gone.
void record_kill_outcome(int result, FenceAction& action) {
  if (result == 0) {
    action.outcome = FenceAction::Outcome::kDone;
    return;
  }
  const int error = errno;
  action.outcome =
      error == ESRCH ? FenceAction::Outcome::kAlreadyGone : FenceAction::Outcome::kFailed;
  action.detail = error == ESRCH ? "" : std::strerror(error);
}

void signal_daemon(const ProcessFenceTargets& targets, FenceAction& action) {
  if (targets.daemon_pid == ::getpid()) {
    action.outcome = FenceAction::Outcome::kRefused;
    action.detail = "the connected peer is the fencer itself";
    return;
  }
  if (targets.daemon_pidfd < 0) {
    action.outcome = FenceAction::Outcome::kFailed;
    action.detail = "no process handle for it";
    return;
  }
  record_kill_outcome(signal_pidfd(targets.daemon_pidfd, SIGKILL), action);
}

void wait_for_daemon_exit(const ProcessFenceTargets& targets, FenceAction& action) {
  if (action.outcome != FenceAction::Outcome::kDone) return;
  // A pidfd becomes readable when its process has exited.
  pollfd exited{targets.daemon_pidfd, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&exited, 1, kDaemonExitWaitMs);
  } while (ready < 0 && errno == EINTR);
  action.detail =
      ready > 0 ? "exited" : "SIGKILL sent; not exited after 1 s (uninterruptible sleep?)";
}

void kill_vm_group(FenceAction& action) {
  // kill(-1) would signal every process of the machine and kill(0) the
  // fencer's own group: never let a registry entry ask for that.
  if (action.id <= 1) {
    action.outcome = FenceAction::Outcome::kRefused;
    action.detail = "not a usable process group id";
    return;
  }
  if (action.id == ::getpgrp()) {
    action.outcome = FenceAction::Outcome::kRefused;
    action.detail = "that is the fencer's own process group";
    return;
  }
  record_kill_outcome(::kill(-static_cast<pid_t>(action.id), SIGKILL), action);
}

void log_action(const FenceAction& action) {
  const bool ok = action.outcome == FenceAction::Outcome::kDone ||
                  action.outcome == FenceAction::Outcome::kAlreadyGone;
  spdlog::log(ok ? spdlog::level::warn : spdlog::level::err, "fence: {}", describe_action(action));
}

void kill_pending_vm_groups(std::vector<FenceAction>& actions) {
  for (FenceAction& action : actions) {
    if (action.kind != FenceAction::Kind::kKillVmGroup ||
        action.outcome != FenceAction::Outcome::kPending) {
      continue;
    }
    kill_vm_group(action);
    log_action(action);
  }
}

void reset_host_tcp_connections(FenceAction& action) {
  const TcpResetResult reset = reset_tcp_connections();
  action.outcome = reset.ok ? FenceAction::Outcome::kDone : FenceAction::Outcome::kFailed;
  action.id = static_cast<std::int64_t>(reset.connections);
  action.detail = reset.error;
  log_action(action);
}

}  // namespace

FenceRecord carry_out_process_fence(const FenceOrder& order, const ProcessFenceTargets& targets,
                                    const ProcessFenceRecordSetup& setup) {
  spdlog::critical("fence: fencing this host ({}): {}", cause_name(order.cause), order.reason);
  FenceRecord record;
  record.unix_ms = wall_clock_unix_ms();
  record.host = setup.host;
  record.decided_by = order.cause;
  record.reason = order.reason;
  record.fencer = setup.fencer;

  std::set<std::string> seen;
  if (targets.daemon_pid > 0) {
    FenceAction daemon;
    daemon.kind = FenceAction::Kind::kKillDaemon;
    daemon.id = targets.daemon_pid;
    record.actions.push_back(daemon);
  }
  add_vm_actions(list_vm_groups(targets.vm_registry_dir, record.problems), seen, record.actions);
  if (targets.reset_tcp_connections) {
    FenceAction reset;
    reset.kind = FenceAction::Kind::kResetTcp;
    record.actions.push_back(reset);
  }
  save(setup, record);

  // The daemon first, so it starts no further VM, then the VMs at once:
  // waiting for the daemon's exit must not delay them.
  FenceAction* daemon = targets.daemon_pid > 0 ? &record.actions.front() : nullptr;
  if (daemon) signal_daemon(targets, *daemon);
  kill_pending_vm_groups(record.actions);
  if (daemon) {
    wait_for_daemon_exit(targets, *daemon);
    log_action(*daemon);
  }
  // The daemon may have recorded a VM between the first listing and its
  // death; the second listing catches it.
  add_vm_actions(list_vm_groups(targets.vm_registry_dir, record.problems), seen, record.actions);
  kill_pending_vm_groups(record.actions);
  // Last, so that no killed process is left to queue anything: a VM that
  // was writing when it died has its unsent data dropped with its
  // connection instead of sending it once the storage path is back.
  for (FenceAction& action : record.actions) {
    if (action.kind == FenceAction::Kind::kResetTcp) reset_host_tcp_connections(action);
  }
  record.complete = true;
  save(setup, record);
  return record;
}

}  // namespace poolha::fence

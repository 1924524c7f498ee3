// Carrying out a fence without a watchdog device: what a reboot would do to
// the VMs, done with signals. The daemon is sent SIGKILL first so it starts
// no further VM, then every VM process group the VM drivers recorded in the
// host's VmProcessRegistry; once the daemon has exited the registry is read
// again for a VM it recorded meanwhile. A host that is a network namespace
// then has its TCP connections aborted. The reason record is written before
// the first kill and again with the outcomes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "fence/fence_record.h"
#include "fence/fencer_core.h"

namespace poolha::fence {

struct ProcessFenceTargets {
  pid_t daemon_pid = 0;   // 0: no daemon to kill
  int daemon_pidfd = -1;  // borrowed pidfd of daemon_pid, so a reused pid is never hit
  std::filesystem::path vm_registry_dir;
  // After the kills, abort every TCP connection of the fencer's network
  // namespace, as the machine's reset would (see tcp_connection_reset.h).
  bool reset_tcp_connections = false;
};

struct ProcessFenceRecordSetup {
  std::filesystem::path state_dir;  // where fence-reason.json goes
  std::string host;
  std::string fencer;  // names the fencer in the record
};

// Never throws and never stops early: a step that fails (the record cannot
// be written, the registry cannot be read, a kill fails) is logged and noted
// in the returned record, and the remaining kills still happen, because
// stopping the VMs matters more than any record of it.
FenceRecord carry_out_process_fence(const FenceOrder& order, const ProcessFenceTargets& targets,
                                    const ProcessFenceRecordSetup& setup);

}  // namespace poolha::fence

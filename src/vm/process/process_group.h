// Looking at and signalling a VM's process group through /proc. Zombies do
// not count as members: a VM whose processes all exited is gone even when
// nobody has reaped them yet (an orphan waits for init to reap it).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace poolha::vm {

// Processes of the group that have not exited, in no particular order.
std::vector<pid_t> live_group_members(pid_t process_group);
bool group_has_live_members(pid_t process_group);

// True when some live member of the group carries `entry` ("KEY=value") in
// its environment: how a driver recognises its own VM after a restart
// rather than an unrelated group that reused the id.
bool group_member_has_environment(pid_t process_group, const std::string& entry);

// kill(2) on the whole group; a group that is already gone is not an error.
// Throws std::system_error on any other failure.
void signal_group(pid_t process_group, int signal);

// signal_group for event-loop handlers: a failure (only EPERM is possible
// for a group the driver started) is logged, naming `vm`, rather than thrown
// out of the event loop; the caller's stop deadline then reports the VM as
// still running.
void signal_group_logged(const std::string& vm, pid_t process_group, int signal) noexcept;

// Reaps exited children of this process that belong to the group, without
// waiting: a VM adopted from the registry may still be our own child.
void reap_exited_children_of_group(pid_t process_group);

}  // namespace poolha::vm

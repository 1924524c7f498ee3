// What a host's kernel loses when the machine resets, emulated for a host
// that is a network namespace: its TCP connections. Killing a host's
// processes (power loss in the local pool, the process fencer's kills)
// leaves the namespace's kernel running, and a connection whose path is cut
// keeps its unsent data and retransmits it once the path is back: a VM
// disk write queued before the fence then lands on the disk after the VM
// runs elsewhere. A real machine that lost power, or that its watchdog
// reset, sends nothing more; aborting every TCP connection in the namespace
// (ss -K: each is reset and its queued data dropped) makes the namespace
// behave the same.
#pragma once

#include <string>

namespace poolha::chaos {

// Aborts every TCP connection in the namespace, orphaned ones included.
// Throws std::runtime_error with the tool's message when it fails.
void reset_tcp_connections(const std::string& network_namespace);

}  // namespace poolha::chaos

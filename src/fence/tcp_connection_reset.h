// What a machine reset does to a host's TCP connections, for a host that is
// a network namespace (the local pool, the namespace tests). Killing the
// processes of such a host leaves its kernel running: a connection whose
// path is cut keeps its unsent data and sends it once the path is back, so
// a VM disk write queued before the fence would land on the disk after the
// VM runs elsewhere. A real machine that its watchdog resets sends nothing
// more; aborting every TCP connection of the namespace (each one reset and
// its queued data dropped) makes the namespace host behave the same.
#pragma once

#include <cstddef>
#include <string>

namespace poolha::fence {

struct TcpResetResult {
  bool ok = false;
  std::size_t connections = 0;  // how many were aborted
  std::string error;            // when !ok: what went wrong, in the tool's words
};

// Aborts every TCP connection of the calling thread's network namespace,
// orphaned ones (closed by a dead process, still sending) included;
// listening sockets stay. Runs `ss -K` (iproute2), which needs a kernel with
// CONFIG_INET_DIAG_DESTROY and CAP_NET_ADMIN. Never throws.
TcpResetResult reset_tcp_connections();

}  // namespace poolha::fence

#include "chaos/machine_reset.h"

#include "localpool/tool_runner.h"

namespace poolha::chaos {

void reset_tcp_connections(const std::string& network_namespace) {
  // Without a state filter ss shows (and -K destroys) every TCP socket but
  // listening ones: established, and orphans still sending (FIN-WAIT).
  localpool::run_tool_checked({"ip", "netns", "exec", network_namespace, "ss", "-K", "-t", "-n"});
}

}  // namespace poolha::chaos

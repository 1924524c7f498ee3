// Where the failover parts of a host hand the messages they send to other
// hosts (or to this host itself). Delivery is best effort: the agent and the
// coordinator resend until answered, so a sender may drop messages.
#pragma once

#include "common/host_set.h"
#include "daemon/peer_message.h"

namespace poolha::daemon {

class PeerSender {
 public:
  virtual ~PeerSender() = default;
  // Never blocks on the network; a message to this host itself is delivered
  // on the event loop like one from a peer.
  virtual void send(HostIndex to, PeerMessage message) = 0;
};

}  // namespace poolha::daemon

// A MasterForwarder over RpcTransport: worker threads send forwarded calls
// to the master, so the dispatcher's thread never waits on the network, and
// hand each outcome back to the dispatcher's thread through `post`.
//
// The caller's session belongs to this host, so the forwarder logs in to
// the master itself with session.slave_login (this host's reference and the
// pool secret), puts that session in the call, and logs in again once if
// the master has forgotten it. A master that cannot be reached gives
// CANNOT_CONTACT_HOST [address, reason].
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/master_forwarder.h"
#include "api/rpc_transport.h"

namespace poolha::api {

struct TransportForwarderConfig {
  std::string local_host_uuid;
  std::string pool_secret;
  // Calls in flight at once; a forwarded event.from holds a thread while it
  // waits, so keep this above the number of such callers expected.
  std::size_t threads = 8;
};

// A transport to the master at `master_address`.
using TransportFactory =
    std::function<std::unique_ptr<RpcTransport>(const std::string& master_address)>;
// Runs `task` on the dispatcher's thread.
using PostToDispatcher = std::function<void(std::function<void()> task)>;

class TransportForwarder : public MasterForwarder {
 public:
  TransportForwarder(TransportForwarderConfig config, TransportFactory transports,
                     PostToDispatcher post);
  // Lets calls in flight finish (each bounded by its transport's timeouts)
  // and answers queued ones with INTERNAL_ERROR. `post` must still work.
  ~TransportForwarder() override;
  TransportForwarder(const TransportForwarder&) = delete;
  TransportForwarder& operator=(const TransportForwarder&) = delete;

  void forward(ForwardedCall call, Reply reply) override;

 private:
  struct Job {
    ForwardedCall call;
    Reply reply;
  };

  void work();
  Outcome run(const ForwardedCall& call);
  // This host's session on the master at `address`; a new one if `renew`.
  std::string master_session(RpcTransport& transport, const std::string& address, bool renew);

  TransportForwarderConfig config_;
  TransportFactory transports_;
  PostToDispatcher post_;

  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<Job> jobs_;
  bool stopping_ = false;

  std::mutex session_mutex_;
  std::string session_address_;
  std::string session_ref_;

  std::vector<std::thread> workers_;
};

}  // namespace poolha::api

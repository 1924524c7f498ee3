// How a slave hands a call it must not run itself to the pool master. The
// dispatcher has checked the method, the parameter count and types and the
// caller's session locally; the master checks everything again against its
// own database. Implementations answer on the dispatcher's thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "api/outcome.h"

namespace poolha::api {

struct ForwardedCall {
  std::string master_address;
  std::string method;
  // As the client sent them. When the method takes a session, params[0] is
  // the caller's session on this host, which the master does not know: the
  // forwarder replaces it with a session of its own on the master.
  nlohmann::json params;
  bool takes_session = true;
};

class MasterForwarder {
 public:
  virtual ~MasterForwarder() = default;
  // Calls `reply` exactly once, on the dispatcher's thread.
  virtual void forward(ForwardedCall call, Reply reply) = 0;
};

}  // namespace poolha::api

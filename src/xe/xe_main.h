// One xe invocation from start to finish: read the connection settings and
// the command line, check the command's parameters, connect, log in, run the
// command, log out, and turn every failure into xe's message on stderr and
// exit status 1. The transport comes from a factory so tests can use a fake.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "api/rpc_transport.h"
#include "xe/connection_options.h"
#include "xe/environment.h"

namespace poolha::xe {

// Opens a transport to the configured server; may throw api::TransportError.
using TransportFactory =
    std::function<std::unique_ptr<api::RpcTransport>(const ConnectionSettings& settings)>;

// `args` excludes the program name. Returns the exit status.
int run_xe(const std::vector<std::string>& args, const XeEnvironment& env,
           const TransportFactory& connect, std::ostream& out, std::ostream& err);

}  // namespace poolha::xe

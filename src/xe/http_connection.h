// How the xe command reaches a pool: JSON-RPC over HTTP to the server the
// connection settings name. Shared by the `xe` executable and `poolha xe`.
#pragma once

#include <memory>

#include "api/rpc_transport.h"
#include "xe/xe_main.h"

namespace poolha::xe {

std::unique_ptr<api::RpcTransport> connect_over_http(const ConnectionSettings& settings);

}  // namespace poolha::xe

// Serves the daemon's metrics at GET /metrics on the API port, so Prometheus
// scrapes the same address operators already reach the API on.
#pragma once

#include "api/http_server.h"
#include "daemon/ops/daemon_metrics.h"

namespace poolha::daemon {

inline constexpr const char* kMetricsPath = "/metrics";

// Adds the route before server.start(). `metrics` must outlive the server's
// running time; it is rendered on the HTTP threads.
void serve_metrics(api::HttpServer& server, const DaemonMetrics& metrics);

}  // namespace poolha::daemon

#include "daemon/ops/metrics_route.h"

namespace poolha::daemon {

void serve_metrics(api::HttpServer& server, const DaemonMetrics& metrics) {
  server.add_get_route(kMetricsPath, [&metrics](const api::RawHttpRequest&) {
    return api::RawHttpResponse{200, metrics.render(), DaemonMetrics::kContentType};
  });
}

}  // namespace poolha::daemon

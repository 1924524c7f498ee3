#include "xe/debug_transport.h"

namespace poolha::xe {

nlohmann::json DebugTransport::call(const std::string& method, const nlohmann::json& params) {
  nlohmann::json shown = params;
  if (method == "session.login_with_password" && shown.is_array() && shown.size() > 1) {
    shown[1] = "(omitted)";
  }
  log_ << "call " << method << ' ' << shown.dump() << '\n';
  try {
    nlohmann::json result = inner_.call(method, params);
    log_ << "result " << result.dump() << '\n';
    return result;
  } catch (const api::XenApiError& e) {
    log_ << "error " << nlohmann::json(e.description()).dump() << '\n';
    throw;
  } catch (const api::TransportError& e) {
    log_ << "transport error " << e.what() << '\n';
    throw;
  }
}

}  // namespace poolha::xe

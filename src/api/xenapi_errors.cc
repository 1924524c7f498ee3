#include "api/xenapi_errors.h"

#include <vector>

namespace poolha::api::errors {
namespace {

XenApiError make(const char* code, std::vector<std::string> params = {}) {
  params.insert(params.begin(), code);
  return XenApiError(std::move(params));
}

}  // namespace

XenApiError message_method_unknown(std::string_view method) {
  return make(kMessageMethodUnknown, {std::string(method)});
}

XenApiError message_parameter_count_mismatch(std::string_view method, std::size_t expected,
                                             std::size_t received) {
  return make(kMessageParameterCountMismatch,
              {std::string(method), std::to_string(expected), std::to_string(received)});
}

XenApiError field_type_error(std::string_view field) {
  return make(kFieldTypeError, {std::string(field)});
}

XenApiError session_invalid(std::string_view session_ref) {
  return make(kSessionInvalid, {std::string(session_ref)});
}

XenApiError session_authentication_failed(std::string_view user) {
  // xapi's datamodel lists no parameters, but xapi itself sends these two.
  return make(kSessionAuthenticationFailed, {std::string(user), "Authentication failure"});
}

XenApiError handle_invalid(std::string_view api_class, std::string_view ref) {
  return make(kHandleInvalid, {std::string(api_class), std::string(ref)});
}

XenApiError uuid_invalid(std::string_view api_class, std::string_view uuid) {
  return make(kUuidInvalid, {std::string(api_class), std::string(uuid)});
}

XenApiError invalid_value(std::string_view field, std::string_view value) {
  return make(kInvalidValue, {std::string(field), std::string(value)});
}

XenApiError operation_not_allowed(std::string_view reason) {
  return make(kOperationNotAllowed, {std::string(reason)});
}

XenApiError internal_error(std::string_view message) {
  return make(kInternalError, {std::string(message)});
}

XenApiError host_is_slave(std::string_view master_address) {
  return make(kHostIsSlave, {std::string(master_address)});
}

XenApiError host_in_emergency_mode() {
  return make(kHostInEmergencyMode);
}

XenApiError cannot_contact_host(std::string_view address, std::string_view detail) {
  return make(kCannotContactHost, {std::string(address), std::string(detail)});
}

XenApiError events_lost() {
  return make(kEventsLost);
}

XenApiError event_from_token_parse_failure(std::string_view token) {
  return make(kEventFromTokenParseFailure, {std::string(token)});
}

}  // namespace poolha::api::errors

// The XenAPI error codes this API raises, spelled as xapi spells them, and
// one constructor per code so every raise site passes the parameters xapi's
// datamodel documents for it, in its order.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "api/rpc_transport.h"

namespace poolha::api::errors {

// Call shape and authentication.
XenApiError message_method_unknown(std::string_view method);
// Counts include the session parameter, as they appear on the wire.
XenApiError message_parameter_count_mismatch(std::string_view method, std::size_t expected,
                                             std::size_t received);
XenApiError field_type_error(std::string_view field);
XenApiError session_invalid(std::string_view session_ref);
XenApiError session_authentication_failed(std::string_view user);

// References and values.
XenApiError handle_invalid(std::string_view api_class, std::string_view ref);
XenApiError uuid_invalid(std::string_view api_class, std::string_view uuid);
XenApiError invalid_value(std::string_view field, std::string_view value);
XenApiError operation_not_allowed(std::string_view reason);
XenApiError internal_error(std::string_view message);

// Pool roles.
XenApiError host_is_slave(std::string_view master_address);
// This host knows no master to send the call to (HA is electing one, or the
// host lost the pool): xapi's answer from a host in emergency mode.
XenApiError host_in_emergency_mode();
XenApiError cannot_contact_host(std::string_view address, std::string_view detail);

// Events.
XenApiError events_lost();
XenApiError event_from_token_parse_failure(std::string_view token);

// Codes a backend raises when the state of the pool refuses an operation.
inline constexpr const char* kHaIsEnabled = "HA_IS_ENABLED";    // []
inline constexpr const char* kHaNotEnabled = "HA_NOT_ENABLED";  // []
inline constexpr const char* kHaOperationWouldBreakFailoverPlan =
    "HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN";                          // []
inline constexpr const char* kVmBadPowerState = "VM_BAD_POWER_STATE";  // [vm, expected, actual]
inline constexpr const char* kHostDisabled = "HOST_DISABLED";          // [host]
inline constexpr const char* kHostOffline = "HOST_OFFLINE";            // [host]
inline constexpr const char* kHostNotEnoughFreeMemory =
    "HOST_NOT_ENOUGH_FREE_MEMORY";  // [needed, available]
inline constexpr const char* kHaConstraintViolationSrNotShared =
    "HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED";  // [SR]

// Codes raised through the constructors above, for callers that compare.
inline constexpr const char* kMessageMethodUnknown = "MESSAGE_METHOD_UNKNOWN";
inline constexpr const char* kMessageParameterCountMismatch = "MESSAGE_PARAMETER_COUNT_MISMATCH";
inline constexpr const char* kFieldTypeError = "FIELD_TYPE_ERROR";
inline constexpr const char* kSessionInvalid = "SESSION_INVALID";
inline constexpr const char* kSessionAuthenticationFailed = "SESSION_AUTHENTICATION_FAILED";
inline constexpr const char* kHandleInvalid = "HANDLE_INVALID";
inline constexpr const char* kUuidInvalid = "UUID_INVALID";
inline constexpr const char* kInvalidValue = "INVALID_VALUE";
inline constexpr const char* kOperationNotAllowed = "OPERATION_NOT_ALLOWED";
inline constexpr const char* kInternalError = "INTERNAL_ERROR";
inline constexpr const char* kHostIsSlave = "HOST_IS_SLAVE";
inline constexpr const char* kHostInEmergencyMode = "HOST_IN_EMERGENCY_MODE";
inline constexpr const char* kCannotContactHost = "CANNOT_CONTACT_HOST";
inline constexpr const char* kEventsLost = "EVENTS_LOST";
inline constexpr const char* kEventFromTokenParseFailure = "EVENT_FROM_TOKEN_PARSE_FAILURE";

}  // namespace poolha::api::errors

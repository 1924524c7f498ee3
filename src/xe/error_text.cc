#include "xe/error_text.h"

#include <algorithm>
#include <string_view>

namespace poolha::xe {
namespace {

struct ErrorDoc {
  std::string_view code;
  std::string_view text;
  std::vector<std::string_view> params;
};

// xe prints the server's error documentation; the wording below is xe's, so
// scripts and operators that know xe's messages recognise them. The table
// covers the codes poolha's API raises and the XenAPI errors an HA operator
// meets.
const std::vector<ErrorDoc>& error_docs() {
  static const std::vector<ErrorDoc> docs = {
      {"HANDLE_INVALID",
       "You gave an invalid object reference. The object may have recently been deleted. The "
       "class parameter gives the type of reference given, and the handle parameter echoes the "
       "bad value given.",
       {"class", "handle"}},
      {"UUID_INVALID", "The uuid you supplied was invalid.", {"type", "uuid"}},
      {"INTERNAL_ERROR",
       "The server failed to handle your request, due to an internal error. The given message may "
       "give details useful for debugging the problem.",
       {"message"}},
      {"SESSION_AUTHENTICATION_FAILED",
       "The credentials given by the user are incorrect, so access has been denied, and you have "
       "not been issued a session handle.",
       {}},
      {"SESSION_INVALID",
       "You gave an invalid session reference. It may have been invalidated by a server restart, "
       "or timed out. You should get a new session handle, using one of the session.login_ calls. "
       "This error does not invalidate the current connection. The handle parameter echoes the bad "
       "value given.",
       {"handle"}},
      {"SESSION_AUTHORIZATION_FAILED",
       "The credentials given by the user are correct, but the user could not be authorized, so "
       "access has been denied, and you have not been issued a session handle.",
       {"username", "msg"}},
      {"CANNOT_CONTACT_HOST",
       "Cannot forward messages because the server cannot be contacted. The server may be switched "
       "off or there may be network connectivity problems.",
       {"host"}},
      {"EVENTS_LOST", "Some events have been lost from the queue and cannot be retrieved.", {}},
      {"EVENT_FROM_TOKEN_PARSE_FAILURE",
       "The event.from token could not be parsed. Valid values include: '', and a value returned "
       "from a previous event.from call.",
       {"token"}},
      {"PERMISSION_DENIED", "Caller not allowed to perform this operation.", {"message"}},
      {"MESSAGE_METHOD_UNKNOWN",
       "You tried to call a method that does not exist. The method name that you used is echoed.",
       {"method"}},
      {"MESSAGE_PARAMETER_COUNT_MISMATCH",
       "You tried to call a method with the incorrect number of parameters. The fully-qualified "
       "method name that you used, and the number of received and expected parameters are "
       "returned.",
       {"method", "expected", "received"}},
      {"INVALID_VALUE", "The value given is invalid", {"field", "value"}},
      {"FIELD_TYPE_ERROR", "The value specified is of the wrong type", {"field"}},
      {"OPERATION_NOT_ALLOWED", "You attempted an operation that was not allowed.", {"reason"}},
      {"NOT_IMPLEMENTED", "The function is not implemented", {"function"}},
      {"VM_BAD_POWER_STATE",
       "You attempted an operation on a VM that was not in an appropriate power state at the time; "
       "for example, you attempted to start a VM that was already running. The parameters "
       "returned are the VM's handle, and the expected and actual VM state at the time of the "
       "call.",
       {"vm", "expected", "actual"}},
      {"VM_IS_PROTECTED",
       "This operation cannot be performed because the specified VM is protected by HA",
       {"vm"}},
      {"HOST_NOT_ENOUGH_FREE_MEMORY",
       "Not enough server memory is available to perform this operation.",
       {"needed", "available"}},
      {"NO_HOSTS_AVAILABLE",
       "There were no servers available to complete the specified operation.",
       {}},
      {"HOST_IN_EMERGENCY_MODE",
       "Cannot perform operation as the host is running in emergency mode.",
       {}},
      {"HOST_OFFLINE",
       "You attempted an operation which involves a host which could not be contacted.",
       {"host"}},
      {"HOST_DISABLED", "The specified server is disabled.", {"host"}},
      {"HOST_NOT_LIVE", "This operation cannot be completed as the server is not live.", {}},
      {"HOST_IS_SLAVE",
       "You cannot make regular API calls directly on a supporter. Please pass API calls via the "
       "coordinator host.",
       {"Master IP address"}},
      {"HOST_NOT_DISABLED",
       "This operation cannot be performed because the host is not disabled. Please disable the "
       "host and then try again.",
       {}},
      {"CANNOT_EVACUATE_HOST", "This server cannot be evacuated.", {"errors"}},
      {"HA_FAILED_TO_FORM_LIVESET",
       "HA could not be enabled on the Pool because a liveset could not be formed: check storage "
       "and network heartbeat paths.",
       {}},
      {"HA_HEARTBEAT_DAEMON_STARTUP_FAILED",
       "The server could not join the liveset because the HA daemon failed to start.",
       {}},
      {"HA_HOST_CANNOT_ACCESS_STATEFILE",
       "The server could not join the liveset because the HA daemon could not access the "
       "heartbeat disk.",
       {}},
      {"HA_HOST_IS_ARMED",
       "The operation could not be performed while the server is still armed; it must be disarmed "
       "first.",
       {"host"}},
      {"HA_IS_ENABLED",
       "The operation could not be performed because HA is enabled on the Pool",
       {}},
      {"HA_NOT_ENABLED",
       "The operation could not be performed because HA is not enabled on the Pool",
       {}},
      {"HA_ENABLE_IN_PROGRESS",
       "The operation could not be performed because HA enable is in progress",
       {}},
      {"HA_DISABLE_IN_PROGRESS",
       "The operation could not be performed because HA disable is in progress",
       {}},
      {"HA_NOT_INSTALLED",
       "The operation could not be performed because the HA software is not installed on this "
       "server.",
       {"host"}},
      {"HA_HOST_CANNOT_SEE_PEERS",
       "The operation failed because the HA software on the specified server could not see a "
       "subset of other servers. Check your network connectivity.",
       {"host", "all", "subset"}},
      {"HA_TOO_FEW_HOSTS",
       "HA can only be enabled for 2 servers or more. Note that 2 servers requires a "
       "pre-configured quorum tiebreak script.",
       {}},
      {"HA_SHOULD_BE_FENCED",
       "Server cannot rejoin pool because it should have fenced (it is not in the coordinator's "
       "partition).",
       {"host"}},
      {"HA_ABORT_NEW_MASTER",
       "This server cannot accept the proposed new coordinator setting at this time.",
       {"reason"}},
      {"HA_NO_PLAN",
       "Cannot find a plan for placement of VMs as there are no other servers available.",
       {}},
      {"HA_LOST_STATEFILE", "This server lost access to the HA statefile.", {}},
      {"HA_POOL_IS_ENABLED_BUT_HOST_IS_DISABLED",
       "This server cannot join the pool because the pool has HA enabled but this server has HA "
       "disabled.",
       {}},
      {"HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED",
       "This operation cannot be performed because the referenced SR is not properly shared. The "
       "SR must both be marked as shared and a currently_attached PBD must exist for each host.",
       {"SR"}},
      {"HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN",
       "This operation cannot be performed because it would invalidate VM failover planning such "
       "that the system would be unable to guarantee to restart protected VMs after a Host "
       "failure.",
       {}},
  };
  return docs;
}

const ErrorDoc* find_doc(std::string_view code) {
  for (const auto& doc : error_docs()) {
    if (doc.code == code) return &doc;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> xenapi_error_lines(
    const std::vector<std::string>& description,
    const std::function<std::string(const std::string&)>& describe) {
  const std::string code = description.empty() ? "INTERNAL_ERROR" : description.front();
  std::vector<std::string> values;
  for (std::size_t i = 1; i < description.size(); ++i) values.push_back(describe(description[i]));

  const ErrorDoc* doc = find_doc(code);
  if (doc == nullptr) {
    std::string joined;
    for (std::size_t i = 0; i < values.size(); ++i) joined += (i > 0 ? ", " : "") + values[i];
    return {"Error code: " + code, "Error parameters: " + joined};
  }
  // As xe: every documented parameter gets a line, "<unknown>" when the server
  // sent fewer values, and surplus values are shown as "<extra>".
  std::vector<std::string> lines = {std::string(doc->text)};
  const std::size_t count = std::max(doc->params.size(), values.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = i < doc->params.size() ? std::string(doc->params[i]) : "<extra>";
    const std::string value = i < values.size() ? values[i] : "<unknown>";
    lines.push_back(name + ": " + value);
  }
  return lines;
}

}  // namespace poolha::xe

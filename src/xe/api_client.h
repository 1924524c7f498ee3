// One XenAPI session over an api::RpcTransport: login, calls that carry the
// session reference as their first parameter, logout. It also remembers the
// uuid and name of every object whose record it fetched, so references can
// be printed as xe prints them (a uuid, or "uuid (name)" in error messages).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/rpc_transport.h"

namespace poolha::xe {

// The reference XenAPI uses for "no object" (a halted VM's resident_on).
inline constexpr std::string_view kNullRef = "OpaqueRef:NULL";

struct ObjectRecord {
  std::string ref;
  nlohmann::json fields;  // the XenAPI record
};

class ApiClient {
 public:
  explicit ApiClient(api::RpcTransport& transport) : transport_(transport) {}

  // session.login_with_password. Like every call below, throws
  // api::XenApiError, api::TransportError, or BadAnswer for an answer of the
  // wrong shape.
  void login(const std::string& username, const std::string& password);
  // session.logout, if logged in. A failure is returned as its message, not
  // thrown: the command's own outcome has already been decided.
  std::optional<std::string> logout();

  // Calls `method` with the session reference prepended to `args`.
  nlohmann::json call(const std::string& method, nlohmann::json args = nlohmann::json::array());

  // <class>.get_all_records, in the order the server returns them.
  std::vector<ObjectRecord> all_records(std::string_view api_class);
  std::string ref_by_uuid(std::string_view api_class, const std::string& uuid);
  // <class>.get_by_uuid then <class>.get_record.
  ObjectRecord record_by_uuid(std::string_view api_class, const std::string& uuid);

  // The uuid of the object `ref` names, loading the class's records once when
  // the reference has not been seen yet. nullopt for the null reference and
  // for a reference to no existing object.
  std::optional<std::string> uuid_of(std::string_view api_class, const std::string& ref);

  // A reference seen during this session as "uuid (name)"; anything else unchanged.
  std::string describe(const std::string& text) const;

 private:
  struct KnownObject {
    std::string uuid;
    std::optional<std::string> name_label;
  };
  void remember(const ObjectRecord& record);

  api::RpcTransport& transport_;
  std::optional<std::string> session_;
  std::map<std::string, KnownObject> known_;  // by reference
  std::set<std::string, std::less<>> loaded_classes_;
};

}  // namespace poolha::xe

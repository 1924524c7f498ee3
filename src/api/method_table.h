// The API's methods: for each, its wire name, its parameters with their
// XenAPI types, where it may run in the pool, and its handler. Calls are
// checked against this table before any handler runs, in xapi's order:
// unknown method, parameter count, session, parameter types, references.
// Every check throws the XenAPI error a client of xapi would get.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/object_class.h"
#include "api/outcome.h"
#include "pool/database.h"

namespace poolha::api {

enum class ParamKind : std::uint8_t {
  kString,
  kInt,  // a JSON integer, or a decimal string (as xapi accepts)
  kBool,
  kFloat,      // any JSON number, or a decimal string
  kRef,        // an object reference of one class
  kRefSet,     // an array of references of one class
  kStringSet,  // an array of strings
  kStringMap,  // an object with string values
};

struct ParamType {
  ParamKind kind = ParamKind::kString;
  const ObjectClass* ref_class = nullptr;  // for kRef and kRefSet

  static ParamType string() { return {ParamKind::kString}; }
  static ParamType integer() { return {ParamKind::kInt}; }
  static ParamType boolean() { return {ParamKind::kBool}; }
  static ParamType number() { return {ParamKind::kFloat}; }
  static ParamType ref(const ObjectClass& cls) { return {ParamKind::kRef, &cls}; }
  static ParamType ref_set(const ObjectClass& cls) { return {ParamKind::kRefSet, &cls}; }
  static ParamType string_set() { return {ParamKind::kStringSet}; }
  static ParamType string_map() { return {ParamKind::kStringMap}; }
};

struct ParamSpec {
  std::string name;
  ParamType type;
  // Set for trailing parameters a caller may leave out, as xapi's versioned
  // parameters with defaults.
  std::optional<nlohmann::json> default_value;
};

// Where a call runs when it arrives at a slave.
enum class Route : std::uint8_t {
  kLocal,     // on the host that received it, master or not
  kRead,      // on a slave only if the backend serves reads there, else as a mutation
  kMutation,  // on the master: a slave forwards it or answers HOST_IS_SLAVE
};

using ArgValue = std::variant<std::string, std::int64_t, bool, double, std::vector<std::string>,
                              std::map<std::string, std::string>>;

// A call that passed every check: arguments converted to their types, left
// out ones filled with their defaults, references resolved to uuids in the
// database snapshot the call is served from.
struct CheckedCall {
  std::string method;
  std::string session_ref;  // empty for methods without a session
  std::shared_ptr<const pool::Database> database;
  std::vector<ArgValue> args;  // one per ParamSpec, in order

  const std::string& text(std::size_t i) const { return std::get<std::string>(args.at(i)); }
  std::int64_t integer(std::size_t i) const { return std::get<std::int64_t>(args.at(i)); }
  bool flag(std::size_t i) const { return std::get<bool>(args.at(i)); }
  double number(std::size_t i) const { return std::get<double>(args.at(i)); }
  const std::vector<std::string>& list(std::size_t i) const {
    return std::get<std::vector<std::string>>(args.at(i));
  }
  const std::map<std::string, std::string>& map(std::size_t i) const {
    return std::get<std::map<std::string, std::string>>(args.at(i));
  }
};

// Calls `reply` exactly once, now or later. May throw XenApiError instead,
// but only before it has changed anything or replied.
using Handler = std::function<void(const CheckedCall& call, Reply reply)>;

struct MethodSpec {
  std::string name;  // "VM.start"
  bool takes_session = true;
  std::vector<ParamSpec> params;  // after the session
  Route route = Route::kRead;
  Handler handler;
};

class MethodTable {
 public:
  // The name must be new (checked).
  void add(MethodSpec spec);
  const MethodSpec* find(std::string_view name) const;
  std::vector<std::string> names() const;  // sorted

 private:
  std::map<std::string, MethodSpec, std::less<>> methods_;
};

// MESSAGE_PARAMETER_COUNT_MISMATCH unless `params` (the session included)
// has between the required and the total number of parameters.
void check_parameter_count(const MethodSpec& method, const nlohmann::json& params);
// FIELD_TYPE_ERROR naming the first parameter after the session whose JSON
// type does not fit.
void check_parameter_types(const MethodSpec& method, const nlohmann::json& params);
// Converts the parameters after the session (types already checked) and
// resolves references in `database`: HANDLE_INVALID for one that names
// nothing of its class.
CheckedCall resolve_call(const MethodSpec& method, const nlohmann::json& params,
                         std::string session_ref, std::shared_ptr<const pool::Database> database);

}  // namespace poolha::api

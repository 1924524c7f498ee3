#include "xe/api_client.h"

#include <utility>

#include "common/check.h"
#include "xe/cli_error.h"

namespace poolha::xe {
namespace {

// XenAPI's login takes the client's API version and an originator besides
// the credentials; the originator names the client in the server's logs.
constexpr std::string_view kApiVersion = "1.0";
constexpr std::string_view kOriginator = "xe";

std::string text_of(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

void ApiClient::login(const std::string& username, const std::string& password) {
  const nlohmann::json answer =
      transport_.call("session.login_with_password",
                      nlohmann::json::array({username, password, std::string(kApiVersion),
                                             std::string(kOriginator)}));
  if (!answer.is_string()) {
    throw BadAnswer("session.login_with_password answered with a non-string session: " +
                    answer.dump());
  }
  session_ = answer.get<std::string>();
}

std::optional<std::string> ApiClient::logout() {
  if (!session_) return std::nullopt;
  const std::string session = *std::exchange(session_, std::nullopt);
  try {
    transport_.call("session.logout", nlohmann::json::array({session}));
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

nlohmann::json ApiClient::call(const std::string& method, nlohmann::json args) {
  POOLHA_CHECK(session_.has_value(), "XenAPI call before login");
  POOLHA_CHECK(args.is_array(), "XenAPI parameters must be a list");
  args.insert(args.begin(), *session_);
  return transport_.call(method, args);
}

std::vector<ObjectRecord> ApiClient::all_records(std::string_view api_class) {
  const std::string method = std::string(api_class) + ".get_all_records";
  const nlohmann::json answer = call(method);
  if (!answer.is_object()) {
    throw BadAnswer(method + " answered with something that is not a map of records");
  }
  std::vector<ObjectRecord> records;
  records.reserve(answer.size());
  for (const auto& [ref, fields] : answer.items()) {
    if (!fields.is_object()) {
      throw BadAnswer(method + " answered with a record that is not an object for " + ref);
    }
    records.push_back({ref, fields});
    remember(records.back());
  }
  loaded_classes_.emplace(api_class);
  return records;
}

std::string ApiClient::ref_by_uuid(std::string_view api_class, const std::string& uuid) {
  const std::string method = std::string(api_class) + ".get_by_uuid";
  const nlohmann::json answer = call(method, nlohmann::json::array({uuid}));
  if (!answer.is_string()) throw BadAnswer(method + " answered with a non-string reference");
  return answer.get<std::string>();
}

ObjectRecord ApiClient::record_by_uuid(std::string_view api_class, const std::string& uuid) {
  ObjectRecord record{ref_by_uuid(api_class, uuid), {}};
  const std::string method = std::string(api_class) + ".get_record";
  record.fields = call(method, nlohmann::json::array({record.ref}));
  if (!record.fields.is_object()) throw BadAnswer(method + " answered with a non-object record");
  remember(record);
  return record;
}

std::optional<std::string> ApiClient::uuid_of(std::string_view api_class, const std::string& ref) {
  if (ref == kNullRef || ref.empty()) return std::nullopt;
  auto known = known_.find(ref);
  if (known == known_.end() && !loaded_classes_.contains(api_class)) {
    all_records(api_class);
    known = known_.find(ref);
  }
  if (known == known_.end()) return std::nullopt;
  return known->second.uuid;
}

std::string ApiClient::describe(const std::string& text) const {
  const auto known = known_.find(text);
  if (known == known_.end()) return text;
  if (!known->second.name_label) return known->second.uuid;
  return known->second.uuid + " (" + *known->second.name_label + ")";
}

void ApiClient::remember(const ObjectRecord& record) {
  const auto uuid = record.fields.find("uuid");
  if (uuid == record.fields.end()) return;
  KnownObject object{text_of(*uuid), std::nullopt};
  const auto name = record.fields.find("name_label");
  if (name != record.fields.end()) object.name_label = text_of(*name);
  known_[record.ref] = std::move(object);
}

}  // namespace poolha::xe

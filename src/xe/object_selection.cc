#include "xe/object_selection.h"

#include <algorithm>

#include "xe/cli_error.h"
#include "xe/error_text.h"
#include "xe/record_text.h"

namespace poolha::xe {
namespace {

std::string stem(const std::string& key) {
  return key.substr(0, key.find(':'));
}

bool names_object(const Selector& selector, const ObjectRecord& record, const std::string& wanted) {
  for (const std::string_view field : selector.naming_fields) {
    const auto value = record.fields.find(std::string(field));
    if (value != record.fields.end() && value->is_string() && value->get<std::string>() == wanted) {
      return true;
    }
  }
  return false;
}

std::string uuid_of_record(const ObjectRecord& record) {
  const auto uuid = record.fields.find("uuid");
  return uuid != record.fields.end() && uuid->is_string() ? uuid->get<std::string>() : record.ref;
}

}  // namespace

Selector vm_selector() {
  return {vm_class(),
          "vm",
          {"uuid", "name_label"},
          "No matching VMs found",
          "Multiple matches VMs found. --multiple required to complete the operation",
          "Multiple matches VMs found. Operation can only be performed on one VM at a time"};
}

Selector host_selector() {
  return {host_class(),
          "host",
          {"uuid", "name_label", "address"},
          "No matching hosts found",
          "Multiple matching hosts found. --multiple required to complete the operation",
          "Multiple matching hosts found. Operation can only be performed on one host at a time"};
}

std::vector<ObjectRecord> select_objects(const Selector& selector, const Params& params,
                                         const std::vector<std::string>& own_params,
                                         ApiClient& api) {
  std::vector<ObjectRecord> records = api.all_records(selector.spec.api_class);
  if (const auto wanted = params.find(selector.key)) {
    std::erase_if(records,
                  [&](const ObjectRecord& r) { return !names_object(selector, r, *wanted); });
  }
  std::vector<Param> filters;
  for (const auto& param : params.entries()) {
    const std::string key_stem = stem(param.first);
    const bool own = key_stem == selector.key ||
                     std::find(own_params.begin(), own_params.end(), key_stem) != own_params.end();
    if (!own && !is_standard_param(key_stem)) filters.push_back(param);
  }
  return filter_records(selector.spec, std::move(records), filters, api);
}

void apply_to_selected(const Selector& selector, const std::vector<ObjectRecord>& objects,
                       bool allow_multiple, const Params& params, ApiClient& api,
                       const std::function<void(const ObjectRecord&)>& op) {
  if (objects.empty()) throw CliFailure(std::string(selector.none_found));
  if (objects.size() == 1) {
    op(objects.front());
    return;
  }
  if (!allow_multiple) throw CliFailure(std::string(selector.multiple_not_allowed));
  if (!params.flag("multiple")) throw CliFailure(std::string(selector.multiple_need_flag));

  std::vector<std::pair<std::string, std::string>> failures;
  for (const auto& object : objects) {
    try {
      op(object);
    } catch (const api::XenApiError& e) {
      std::string message;
      for (const auto& line : xenapi_error_lines(
               e.description(), [&api](const std::string& t) { return api.describe(t); })) {
        message += (message.empty() ? "" : "\n") + line;
      }
      failures.emplace_back(uuid_of_record(object), message);
    } catch (const CliFailure& e) {
      failures.emplace_back(uuid_of_record(object), e.what());
    }
  }
  if (!failures.empty()) throw MultipleFailure(std::move(failures));
}

}  // namespace poolha::xe

// How xe picks the objects an operation such as vm-start or host-disable
// applies to: "vm=" naming a VM by uuid or name, "host=" a host by uuid,
// name or address (xe: hostname, which poolha hosts do not have), and any
// other field filters (uuid=..., power-state=halted). One match is acted on;
// several only with --multiple, where the command allows it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "xe/api_client.h"
#include "xe/class_schema.h"
#include "xe/params.h"

namespace poolha::xe {

struct Selector {
  const ClassSpec& spec;
  std::string_view key;  // "vm", "host": names an object by one of `naming_fields`
  std::vector<std::string_view> naming_fields;  // XenAPI fields, e.g. uuid, name_label
  // xe's messages when nothing or too much matches.
  std::string_view none_found;
  std::string_view multiple_need_flag;
  std::string_view multiple_not_allowed;
};

Selector vm_selector();
Selector host_selector();

// The matching objects. `own_params` are the command's other parameters,
// which are not filters.
std::vector<ObjectRecord> select_objects(const Selector& selector, const Params& params,
                                         const std::vector<std::string>& own_params,
                                         ApiClient& api);

// Runs `op` on the selected objects. Several objects need --multiple (and
// `allow_multiple`); then every object is tried and the failures are
// reported together through MultipleFailure.
void apply_to_selected(const Selector& selector, const std::vector<ObjectRecord>& objects,
                       bool allow_multiple, const Params& params, ApiClient& api,
                       const std::function<void(const ObjectRecord&)>& op);

}  // namespace poolha::xe

#include "pool/change_json.h"

#include <nlohmann/json.hpp>

#include "pool/json_object_reader.h"
#include "pool/record_json.h"

namespace poolha::pool {

using json_detail::ObjectReader;
using nlohmann::json;

namespace {

json fields_to_json(const SetPoolFields& f) {
  json out = json::object();
  if (f.name_label) out["name_label"] = *f.name_label;
  if (f.master) out["master"] = *f.master;
  if (f.ha_enabled) out["ha_enabled"] = *f.ha_enabled;
  if (f.ha_configuration) out["ha_configuration"] = *f.ha_configuration;
  if (f.ha_timeout) out["ha_timeout"] = *f.ha_timeout;
  if (f.ha_host_failures_to_tolerate) {
    out["ha_host_failures_to_tolerate"] = *f.ha_host_failures_to_tolerate;
  }
  if (f.ha_plan_exists_for) out["ha_plan_exists_for"] = *f.ha_plan_exists_for;
  if (f.ha_overcommitted) out["ha_overcommitted"] = *f.ha_overcommitted;
  if (f.ha_allow_overcommit) out["ha_allow_overcommit"] = *f.ha_allow_overcommit;
  if (f.ha_reboot_vm_on_internal_shutdown) {
    out["ha_reboot_vm_on_internal_shutdown"] = *f.ha_reboot_vm_on_internal_shutdown;
  }
  if (f.ha_statefiles) out["ha_statefiles"] = *f.ha_statefiles;
  return out;
}

SetPoolFields read_fields(ObjectReader& r) {
  SetPoolFields f;
  if (r.has("name_label")) f.name_label = r.string("name_label");
  if (r.has("master")) f.master = r.string("master");
  if (r.has("ha_enabled")) f.ha_enabled = r.boolean("ha_enabled");
  if (r.has("ha_configuration")) f.ha_configuration = r.string_map("ha_configuration");
  if (r.has("ha_timeout")) f.ha_timeout = r.int64("ha_timeout");
  if (r.has("ha_host_failures_to_tolerate")) {
    f.ha_host_failures_to_tolerate = r.int64("ha_host_failures_to_tolerate");
  }
  if (r.has("ha_plan_exists_for")) f.ha_plan_exists_for = r.int64("ha_plan_exists_for");
  if (r.has("ha_overcommitted")) f.ha_overcommitted = r.boolean("ha_overcommitted");
  if (r.has("ha_allow_overcommit")) f.ha_allow_overcommit = r.boolean("ha_allow_overcommit");
  if (r.has("ha_reboot_vm_on_internal_shutdown")) {
    f.ha_reboot_vm_on_internal_shutdown = r.boolean("ha_reboot_vm_on_internal_shutdown");
  }
  if (r.has("ha_statefiles")) f.ha_statefiles = r.string_list("ha_statefiles");
  return f;
}

struct ChangeToJson {
  json operator()(const UpsertHost& c) const {
    return {{"op", "upsert_host"}, {"host", json_detail::to_json(c.host)}};
  }
  json operator()(const RemoveHost& c) const { return {{"op", "remove_host"}, {"uuid", c.uuid}}; }
  json operator()(const UpsertSr& c) const {
    return {{"op", "upsert_sr"}, {"sr", json_detail::to_json(c.sr)}};
  }
  json operator()(const RemoveSr& c) const { return {{"op", "remove_sr"}, {"uuid", c.uuid}}; }
  json operator()(const UpsertVm& c) const {
    return {{"op", "upsert_vm"}, {"vm", json_detail::to_json(c.vm)}};
  }
  json operator()(const RemoveVm& c) const { return {{"op", "remove_vm"}, {"uuid", c.uuid}}; }
  json operator()(const SetPoolFields& c) const {
    return {{"op", "set_pool"}, {"fields", fields_to_json(c)}};
  }
};

// Reads the record under `key` with `read` and finishes its reader.
template <typename ReadFn>
auto read_nested(ObjectReader& top, std::string_view key, ReadFn read)
    -> Result<decltype(read(std::declval<ObjectReader&>()))> {
  const json* value = top.object(key);
  if (!value) return top.finish().error();
  ObjectReader reader(*value, std::string(key));
  auto record = read(reader);
  if (Status s = reader.finish(); !s) return s.error();
  return record;
}

Result<Change> change_from_json(const json& value) {
  ObjectReader top(value, "");
  const std::string op = top.string("op");
  if (top.failed()) return top.finish().error();

  std::optional<Change> change;
  if (op == "upsert_host") {
    auto host = read_nested(top, "host", json_detail::read_host);
    if (!host) return host.error();
    change = UpsertHost{std::move(host).value()};
  } else if (op == "upsert_sr") {
    auto sr = read_nested(top, "sr", json_detail::read_sr);
    if (!sr) return sr.error();
    change = UpsertSr{std::move(sr).value()};
  } else if (op == "upsert_vm") {
    auto vm = read_nested(top, "vm", json_detail::read_vm);
    if (!vm) return vm.error();
    change = UpsertVm{std::move(vm).value()};
  } else if (op == "remove_host") {
    change = RemoveHost{top.string("uuid")};
  } else if (op == "remove_sr") {
    change = RemoveSr{top.string("uuid")};
  } else if (op == "remove_vm") {
    change = RemoveVm{top.string("uuid")};
  } else if (op == "set_pool") {
    auto fields = read_nested(top, "fields", read_fields);
    if (!fields) return fields.error();
    change = std::move(fields).value();
  } else {
    top.fail("op", "unknown operation '" + op + "'");
  }
  if (Status s = top.finish(); !s) return s.error();
  return std::move(*change);
}

}  // namespace

std::string encode_change(const Change& change) {
  return json_detail::dump_json(std::visit(ChangeToJson{}, change));
}

Result<Change> decode_change(std::string_view text) {
  Result<json> parsed = json_detail::parse_json(text);
  if (!parsed) return parsed.error();
  try {
    return change_from_json(parsed.value());
  } catch (const json::exception& e) {
    return Error{ErrorCode::kMalformed, e.what()};
  }
}

}  // namespace poolha::pool

#include "api/object_class.h"

namespace poolha::api {

nlohmann::json ObjectClass::record(const ReadContext& context, std::string_view uuid) const {
  nlohmann::json out = nlohmann::json::object();
  for (const Field& field : fields_) out[field.name] = field.read(context, uuid);
  return out;
}

const std::vector<const ObjectClass*>& object_classes() {
  static const std::vector<const ObjectClass*> classes = {&pool_class(), &host_class(), &vm_class(),
                                                          &sr_class()};
  return classes;
}

const ObjectClass* find_object_class_by_event_name(std::string_view event_name) {
  for (const ObjectClass* cls : object_classes()) {
    if (cls->event_name() == event_name) return cls;
  }
  return nullptr;
}

const ObjectClass* find_object_class_by_api_name(std::string_view api_name) {
  for (const ObjectClass* cls : object_classes()) {
    if (cls->api_name() == api_name) return cls;
  }
  return nullptr;
}

nlohmann::json ref_list(const std::vector<std::string>& uuids) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& uuid : uuids) out.push_back(ref_of(uuid));
  return out;
}

}  // namespace poolha::api

#include "api/object_refs.h"

namespace poolha::api {

std::string ref_of(std::string_view uuid) {
  if (uuid.empty()) return std::string(kNullRef);
  std::string ref(kRefPrefix);
  ref += uuid;
  return ref;
}

std::optional<std::string> uuid_of_ref(std::string_view ref) {
  if (!ref.starts_with(kRefPrefix) || ref == kNullRef) return std::nullopt;
  ref.remove_prefix(kRefPrefix.size());
  if (ref.empty()) return std::nullopt;
  return std::string(ref);
}

}  // namespace poolha::api

// The SR class's field table.
#include "api/object_class.h"

namespace poolha::api {

using nlohmann::json;
using pool::Sr;

const ObjectClass& sr_class() {
  static const ObjectClass cls(ClassDefinition<Sr>{
      .api_name = "SR",
      .event_name = "sr",
      .has_get_by_name_label = true,
      .all =
          [](const pool::Database& db) {
            std::vector<const Sr*> out;
            for (const auto& [uuid, sr] : db.srs()) out.push_back(&sr);
            return out;
          },
      .find = [](const pool::Database& db, std::string_view uuid) { return db.find_sr(uuid); },
      .fields =
          {
              {"uuid", [](const Sr& s, const ReadContext&) { return json(s.uuid); }},
              {"name_label", [](const Sr& s, const ReadContext&) { return json(s.name_label); }},
              {"type", [](const Sr& s, const ReadContext&) { return json(s.type); }},
              {"shared", [](const Sr& s, const ReadContext&) { return json(s.shared); }},
          }});
  return cls;
}

}  // namespace poolha::api

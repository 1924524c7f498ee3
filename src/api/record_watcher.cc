#include "api/record_watcher.h"

#include <set>

#include "api/change_events.h"

namespace poolha::api {

std::vector<ObjectEvent> RecordWatcher::changes(const ReadContext& now) {
  std::vector<ObjectEvent> out;
  std::map<std::pair<std::string, std::string>, nlohmann::json> next;
  for (const ObjectClass* cls : object_classes()) {
    std::set<std::string> present;
    for (const std::string& uuid : cls->uuids(now.database)) {
      present.insert(uuid);
      nlohmann::json record = cls->record(now, uuid);
      const auto key = std::make_pair(cls->event_name(), uuid);
      const auto before = seen_.find(key);
      if (before == seen_.end()) {
        out.push_back(object_event(*cls, EventOperation::kAdd, now, uuid));
      } else if (before->second != record) {
        out.push_back(object_event(*cls, EventOperation::kMod, now, uuid));
      }
      next.emplace(key, std::move(record));
    }
    for (const auto& [key, record] : seen_) {
      if (key.first == cls->event_name() && !present.contains(key.second)) {
        out.push_back(deletion_event(*cls, key.second));
      }
    }
  }
  seen_ = std::move(next);
  return out;
}

}  // namespace poolha::api

#include "api/event_log.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "api/object_refs.h"
#include "api/random_uuid.h"
#include "common/check.h"

namespace poolha::api {

std::string_view to_string(EventOperation operation) {
  switch (operation) {
    case EventOperation::kAdd:
      return "add";
    case EventOperation::kMod:
      return "mod";
    case EventOperation::kDel:
      return "del";
  }
  return "mod";
}

std::string format_xapi_datetime(WallTime time) {
  return fmt::format("{:%Y%m%dT%H:%M:%S}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(time)));
}

EventLog::EventLog(std::size_t capacity) : capacity_(capacity) {
  POOLHA_CHECK(capacity > 0, "an event log must hold at least one event");
  // The first group of a random uuid: short, and enough to tell runs apart.
  epoch_ = random_uuid().substr(0, 8);
}

std::uint64_t EventLog::append(ObjectEvent event, WallTime time) {
  const bool is_message = event.class_name == "message";
  events_.push_back(LoggedEvent{next_id_++, time, std::move(event)});
  if (is_message) ++retained_messages_;
  if (events_.size() > capacity_) {
    if (events_.front().event.class_name == "message") --retained_messages_;
    events_.pop_front();
  }
  if (listener_) listener_();
  return last_id();
}

std::string EventLog::post_message(const Message& message, WallTime time) {
  const std::string uuid = random_uuid();
  ObjectEvent event;
  event.class_name = "message";
  event.operation = EventOperation::kAdd;
  event.ref = ref_of(uuid);
  event.snapshot = nlohmann::json{{"uuid", uuid},
                                  {"name", message.name},
                                  {"priority", message.priority},
                                  {"cls", message.cls},
                                  {"obj_uuid", message.obj_uuid},
                                  {"timestamp", format_xapi_datetime(time)},
                                  {"body", message.body}};
  std::string ref = event.ref;
  append(std::move(event), time);
  return ref;
}

std::uint64_t EventLog::first_retained_id() const {
  return events_.empty() ? next_id_ : events_.front().id;
}

bool EventLog::holds_everything_after(std::uint64_t after) const {
  return after + 1 >= first_retained_id() && after <= last_id();
}

std::vector<const LoggedEvent*> EventLog::events_after(std::uint64_t after) const {
  POOLHA_CHECK(holds_everything_after(after), "reading events the log no longer holds");
  std::vector<const LoggedEvent*> out;
  const std::uint64_t skip = after + 1 - first_retained_id();
  for (std::size_t i = static_cast<std::size_t>(skip); i < events_.size(); ++i) {
    out.push_back(&events_[i]);
  }
  return out;
}

std::size_t EventLog::retained_message_count() const {
  return retained_messages_;
}

}  // namespace poolha::api

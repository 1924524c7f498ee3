// The pool's event stream as event.from serves it: every change to an
// object (add, mod, del, with the record as it is after the change) and
// every alert message, numbered in the order the daemon records them. The
// log keeps the newest `capacity` events; a client whose token is older than
// that gets EVENTS_LOST and starts again from the current state.
//
// Each log has a random epoch that tokens carry, so a token from an earlier
// daemon run or another host is recognised as lost rather than misread.
// Not thread-safe: the daemon feeds it and the dispatcher reads it on the
// same event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace poolha::api {

using WallTime = std::chrono::system_clock::time_point;

enum class EventOperation : std::uint8_t { kAdd, kMod, kDel };
// "add", "mod", "del".
std::string_view to_string(EventOperation operation);

// One change of one object.
struct ObjectEvent {
  std::string class_name;  // event class: "pool", "host", "vm", "sr", "message"
  EventOperation operation = EventOperation::kMod;
  std::string ref;
  std::optional<nlohmann::json> snapshot;  // the record after the change; none for del
};

struct LoggedEvent {
  std::uint64_t id = 0;
  WallTime time;
  ObjectEvent event;
};

// An alert, shaped like xapi's message objects (see api/ha_alerts.h).
struct Message {
  std::string name;           // "HA_HOST_FAILED", ...
  std::int64_t priority = 5;  // 1 critical .. 5 informational, as xapi
  std::string cls;            // class of the object concerned: "Host", "VM", "Pool", "SR"
  std::string obj_uuid;
  std::string body;
};

// xapi's DateTime text: 20260101T12:00:00Z.
std::string format_xapi_datetime(WallTime time);

class EventLog {
 public:
  static constexpr std::size_t kDefaultCapacity = 10000;

  explicit EventLog(std::size_t capacity = kDefaultCapacity);

  // Records an event; returns its id. Notifies the listener.
  std::uint64_t append(ObjectEvent event, WallTime time);
  // Records the message as the "add" of a new object of class "message";
  // returns the message's reference.
  std::string post_message(const Message& message, WallTime time);

  const std::string& epoch() const { return epoch_; }
  // 0 while nothing has been logged.
  std::uint64_t last_id() const { return next_id_ - 1; }
  // The oldest id still held; last_id() + 1 when the log is empty.
  std::uint64_t first_retained_id() const;
  // Whether every event after `after` is still held.
  bool holds_everything_after(std::uint64_t after) const;
  // The events after `after`, oldest first; holds_everything_after(after)
  // must be true (checked).
  std::vector<const LoggedEvent*> events_after(std::uint64_t after) const;
  // How many messages the log still holds.
  std::size_t retained_message_count() const;

  // Called after every append, e.g. to wake event.from calls that wait.
  // One listener; an empty function removes it.
  void set_listener(std::function<void()> listener) { listener_ = std::move(listener); }

 private:
  std::size_t capacity_;
  std::string epoch_;
  std::uint64_t next_id_ = 1;
  std::deque<LoggedEvent> events_;
  std::size_t retained_messages_ = 0;
  std::function<void()> listener_;
};

}  // namespace poolha::api

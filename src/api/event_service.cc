#include "api/event_service.h"

#include <algorithm>
#include <cmath>

#include "api/change_events.h"
#include "api/object_class.h"
#include "api/xenapi_errors.h"

namespace poolha::api {
namespace {

using nlohmann::json;

json event_json(const LoggedEvent& logged) {
  json out{{"id", std::to_string(logged.id)},
           {"timestamp", format_xapi_datetime(logged.time)},
           {"class", logged.event.class_name},
           {"operation", to_string(logged.event.operation)},
           {"ref", logged.event.ref}};
  if (logged.event.snapshot) out["snapshot"] = *logged.event.snapshot;
  return out;
}

}  // namespace

EventService::EventService(EventLog& log, const PoolBackend& backend, SessionTable& sessions,
                           const ApiClocks& clocks, Duration max_wait)
    : log_(log), backend_(backend), sessions_(sessions), clocks_(clocks), max_wait_(max_wait) {
  log_.set_listener([this] { on_events_appended(); });
}

EventService::~EventService() {
  log_.set_listener({});
  std::vector<Wait> waits = std::move(waits_);
  waits_.clear();
  for (Wait& wait : waits) {
    wait.reply(Outcome::failure(errors::internal_error("the API server is shutting down")));
  }
}

json EventService::valid_ref_counts() const {
  const std::shared_ptr<const pool::Database> database = backend_.database();
  json counts = json::object();
  for (const ObjectClass* cls : object_classes()) {
    counts[cls->event_name()] = cls->uuids(*database).size();
  }
  counts["message"] = log_.retained_message_count();
  return counts;
}

json EventService::answer(json events) const {
  return json{{"events", std::move(events)},
              {"valid_ref_counts", valid_ref_counts()},
              {"token", encode_event_token({log_.epoch(), log_.last_id()})}};
}

std::optional<json> EventService::answer_after(const Subscriptions& subscriptions,
                                               std::uint64_t after) const {
  json events = json::array();
  for (const LoggedEvent* logged : log_.events_after(after)) {
    if (subscriptions.matches(logged->event.class_name, logged->event.ref)) {
      events.push_back(event_json(*logged));
    }
  }
  if (events.empty()) return std::nullopt;
  return answer(std::move(events));
}

void EventService::from(const CheckedCall& call, Reply reply) {
  const Subscriptions subscriptions(call.list(0));
  const std::string& token = call.text(1);
  const double timeout_seconds = call.number(2);
  const WallTime now_wall = clocks_.wall();

  std::uint64_t after = log_.last_id();
  if (token.empty()) {
    // The current state: every subscribed object as an "add", and the
    // messages the log still holds.
    const ReadContext context{*call.database, backend_};
    json events = json::array();
    for (const ObjectClass* cls : object_classes()) {
      if (!subscriptions.matches_class(cls->event_name())) continue;
      for (const std::string& uuid : cls->uuids(*call.database)) {
        if (!subscriptions.matches(cls->event_name(), ref_of(uuid))) continue;
        // Numbered as of the log position the answer's token names.
        LoggedEvent logged{after, now_wall,
                           object_event(*cls, EventOperation::kAdd, context, uuid)};
        events.push_back(event_json(logged));
      }
    }
    for (const LoggedEvent* logged : log_.events_after(log_.first_retained_id() - 1)) {
      if (logged->event.class_name == "message" &&
          subscriptions.matches(logged->event.class_name, logged->event.ref)) {
        events.push_back(event_json(*logged));
      }
    }
    if (!events.empty()) {
      reply(Outcome::success(answer(std::move(events))));
      return;
    }
  } else {
    const std::optional<EventToken> decoded = decode_event_token(token);
    if (!decoded) throw errors::event_from_token_parse_failure(token);
    if (decoded->epoch != log_.epoch() || !log_.holds_everything_after(decoded->last_id)) {
      throw errors::events_lost();
    }
    after = decoded->last_id;
    if (std::optional<json> ready = answer_after(subscriptions, after)) {
      reply(Outcome::success(std::move(*ready)));
      return;
    }
  }

  if (!(timeout_seconds > 0)) {
    reply(Outcome::success(answer(json::array())));
    return;
  }
  const double capped = std::min(timeout_seconds, to_seconds(max_wait_));
  const auto wait_for = Duration(static_cast<Duration::rep>(std::ceil(capped * 1e6)));
  sessions_.hold(call.session_ref);
  waits_.push_back(Wait{call.session_ref, subscriptions, after, clocks_.monotonic() + wait_for,
                        std::move(reply)});
}

void EventService::inject(const CheckedCall& call, Reply reply) {
  const std::string& class_name = call.text(0);
  const std::string& ref = call.text(1);
  const ObjectClass* cls = find_object_class_by_api_name(class_name);
  if (cls == nullptr) cls = find_object_class_by_event_name(class_name);
  const std::optional<std::string> uuid = uuid_of_ref(ref);
  if (cls == nullptr || !uuid || !cls->exists(*call.database, *uuid)) {
    throw errors::handle_invalid(class_name, ref);
  }
  const ReadContext context{*call.database, backend_};
  const std::uint64_t id =
      log_.append(object_event(*cls, EventOperation::kMod, context, *uuid), clocks_.wall());
  reply(Outcome::success(encode_event_token({log_.epoch(), id - 1})));
}

void EventService::finish(std::size_t index, Outcome outcome) {
  Wait wait = std::move(waits_[index]);
  waits_.erase(waits_.begin() + static_cast<std::ptrdiff_t>(index));
  sessions_.release(wait.session_ref, clocks_.monotonic());
  wait.reply(std::move(outcome));
}

void EventService::on_events_appended() {
  for (std::size_t i = 0; i < waits_.size();) {
    if (!log_.holds_everything_after(waits_[i].after)) {
      finish(i, Outcome::failure(errors::events_lost()));
      continue;
    }
    if (std::optional<json> ready = answer_after(waits_[i].subscriptions, waits_[i].after)) {
      finish(i, Outcome::success(std::move(*ready)));
      continue;
    }
    ++i;
  }
}

void EventService::end_session(const std::string& session_ref) {
  for (std::size_t i = 0; i < waits_.size();) {
    if (waits_[i].session_ref == session_ref) {
      finish(i, Outcome::failure(errors::session_invalid(session_ref)));
    } else {
      ++i;
    }
  }
}

void EventService::poll_timers(TimePoint now) {
  for (std::size_t i = 0; i < waits_.size();) {
    if (waits_[i].deadline <= now) {
      finish(i, Outcome::success(answer(json::array())));
    } else {
      ++i;
    }
  }
}

std::optional<TimePoint> EventService::next_deadline() const {
  std::optional<TimePoint> next;
  for (const Wait& wait : waits_) {
    if (!next || wait.deadline < *next) next = wait.deadline;
  }
  return next;
}

}  // namespace poolha::api

// event.from and event.inject over the EventLog. event.from answers at once
// when events the caller subscribed to are waiting, and otherwise holds the
// call (and its session) until some arrive or its timeout passes; the
// EventLog's listener and the dispatcher's timer poll wake it. All on the
// dispatcher's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_clocks.h"
#include "api/event_log.h"
#include "api/event_query.h"
#include "api/method_table.h"
#include "api/pool_backend.h"
#include "api/session_table.h"

namespace poolha::api {

class EventService {
 public:
  // `max_wait` caps the timeout a caller may ask for.
  EventService(EventLog& log, const PoolBackend& backend, SessionTable& sessions,
               const ApiClocks& clocks, Duration max_wait);
  // Answers every waiting call with INTERNAL_ERROR: the API is going away.
  ~EventService();
  EventService(const EventService&) = delete;
  EventService& operator=(const EventService&) = delete;

  // event.from(classes, token, timeout)
  void from(const CheckedCall& call, Reply reply);
  // event.inject(class, ref): a mod event of the object, and the token just
  // before it.
  void inject(const CheckedCall& call, Reply reply);

  // The session ended (logout): its waiting calls get SESSION_INVALID.
  void end_session(const std::string& session_ref);
  // Answers the calls whose timeout has passed.
  void poll_timers(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  std::size_t waiting_calls() const { return waits_.size(); }

 private:
  struct Wait {
    std::string session_ref;
    Subscriptions subscriptions;
    std::uint64_t after = 0;
    TimePoint deadline;
    Reply reply;
  };

  void on_events_appended();
  // The answer for events after `after` that match, or nullopt when none do.
  std::optional<nlohmann::json> answer_after(const Subscriptions& subscriptions,
                                             std::uint64_t after) const;
  nlohmann::json answer(nlohmann::json events) const;
  nlohmann::json valid_ref_counts() const;
  // Ends waits[index], handing it `outcome`.
  void finish(std::size_t index, Outcome outcome);

  EventLog& log_;
  const PoolBackend& backend_;
  SessionTable& sessions_;
  const ApiClocks& clocks_;
  Duration max_wait_;
  std::vector<Wait> waits_;
};

}  // namespace poolha::api

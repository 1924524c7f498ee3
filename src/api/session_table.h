// API sessions: login with a configured user's password (or, for a slave
// forwarding calls, with the pool secret), a random reference per session,
// logout, and expiry after a configurable idle time. Sessions live in this
// host's memory only: after a restart or a change of master, clients log in
// again, as they do when xapi restarts.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/password_hash.h"
#include "common/time.h"

namespace poolha::api {

struct ApiUser {
  std::string name;
  PasswordHash password_hash;
};

struct SessionPolicy {
  // A session unused for this long ends (xapi: 24 hours).
  Duration idle_timeout = std::chrono::hours(24);
  // At most this many sessions; a login beyond it ends the least recently
  // used one that no call is waiting on.
  std::size_t max_sessions = 500;
};

class SessionTable {
 public:
  // `pool_secret` enables session.slave_login; empty disables it. Throws
  // std::invalid_argument if a user name appears twice.
  SessionTable(std::vector<ApiUser> users, std::string pool_secret, SessionPolicy policy);

  // A new session reference. Throws SESSION_AUTHENTICATION_FAILED for an
  // unknown user or a wrong password (both take the same time), and
  // OPERATION_NOT_ALLOWED when the session limit is reached and every session
  // has a call waiting.
  std::string login(std::string_view user, std::string_view password, std::string_view originator,
                    TimePoint now);
  // A session for a slave of this pool, proven by the pool secret.
  std::string slave_login(std::string_view host_uuid, std::string_view secret, TimePoint now);
  bool logout(std::string_view ref);

  // Whether the session is valid now; a valid session's idle time restarts.
  bool touch(std::string_view ref, TimePoint now);
  // A held session never expires or is evicted: event.from holds its session
  // while it waits. Holds nest; the idle time restarts at the release.
  void hold(std::string_view ref);
  void release(std::string_view ref, TimePoint now);

  // Ends the sessions idle for longer than the policy allows; returns them.
  std::vector<std::string> expire_idle(TimePoint now);
  // When the next session would expire, if any can.
  std::optional<TimePoint> next_expiry() const;
  std::size_t size() const { return sessions_.size(); }

 private:
  struct Session {
    std::string user;
    std::string originator;
    TimePoint last_used;
    int holds = 0;
  };

  std::string open(std::string user, std::string_view originator, TimePoint now);
  bool expired(const Session& session, TimePoint now) const;

  std::vector<ApiUser> users_;
  std::string pool_secret_;
  SessionPolicy policy_;
  // Checked against when the user is unknown, so that takes as long as a
  // wrong password.
  std::optional<PasswordHash> decoy_;
  std::map<std::string, Session, std::less<>> sessions_;
};

}  // namespace poolha::api

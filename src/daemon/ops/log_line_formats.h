// The two shapes of the daemon's log lines, as spdlog formatters:
//
//   text:  2024-05-01 12:00:00.123 [warning] [host-a aaaaaaaa-...] message
//          (under journald: "<4>[warning] [host-a ...] message" — the journal
//          stamps the time itself and reads the <N> syslog priority prefix)
//   json:  {"time":"2024-05-01T10:00:00.123Z","level":"warning","host":"host-a",
//           "host_uuid":"aaaaaaaa-...","logger":"poolha","message":"..."}
//
// Every line names its host, so lines collected from a whole pool stay
// attributable. JSON lines are for log collectors: one object per line, the
// time in UTC, strings escaped by nlohmann json (invalid UTF-8 replaced).
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>

namespace poolha::daemon {

struct LogIdentity {
  std::string host_name;  // required
  std::string host_uuid;  // may be empty (e.g. before the configuration is read)
};

// Throws std::invalid_argument without a host name.
std::unique_ptr<spdlog::formatter> make_text_log_formatter(LogIdentity identity, bool for_journal);
std::unique_ptr<spdlog::formatter> make_json_log_formatter(LogIdentity identity);

}  // namespace poolha::daemon

// Logging setup for the daemon: spdlog's default logger writes to stderr in
// the text or JSON-lines shape (log_line_formats.h) at the level the operator
// chose. Under systemd, stderr is the journal: the timestamp is then left out
// and each line carries its syslog priority instead.
#pragma once

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

namespace poolha::daemon {

enum class LogFormat { kText, kJson };

struct LoggingOptions {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text or json
  std::string host_name;        // required
  std::string host_uuid;
};

// Both throw std::invalid_argument naming the allowed values.
spdlog::level::level_enum parse_log_level(std::string_view name);
LogFormat parse_log_format(std::string_view name);

// Whether `fd` is the stream systemd connected to the journal, as told by
// JOURNAL_STREAM ("<device>:<inode>", compared with fstat(fd)). Unset or
// malformed: false.
bool is_journal_stream(int fd);

// A logger named "poolha" writing to `sink`; checks every option first.
std::shared_ptr<spdlog::logger> make_daemon_logger(const LoggingOptions& options,
                                                   spdlog::sink_ptr sink, bool journal);

// Makes the daemon's logger on stderr spdlog's default, so every module's
// spdlog::info(...) takes its shape. Throws std::invalid_argument for a bad
// option, leaving the previous default logger in place.
void setup_logging(const LoggingOptions& options);

}  // namespace poolha::daemon

#include "daemon/ops/log_line_formats.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace poolha::daemon {
namespace {

void require_host_name(const LogIdentity& identity) {
  if (identity.host_name.empty()) {
    throw std::invalid_argument("log lines need the host's name");
  }
}

std::string_view level_name(spdlog::level::level_enum level) {
  const spdlog::string_view_t name = spdlog::level::to_string_view(level);
  return {name.data(), name.size()};
}

std::string_view payload_of(const spdlog::details::log_msg& msg) {
  return {msg.payload.data(), msg.payload.size()};
}

// The syslog priority journald reads from a "<N>" line prefix.
int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical:
      return 2;
    case spdlog::level::err:
      return 3;
    case spdlog::level::warn:
      return 4;
    case spdlog::level::info:
      return 6;
    default:
      return 7;
  }
}

struct SplitTime {
  std::tm calendar{};
  long milliseconds = 0;
};

SplitTime split_time(spdlog::log_clock::time_point time, bool utc) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  SplitTime split;
  split.milliseconds = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count());
  const std::time_t whole = static_cast<std::time_t>(seconds.count());
  if (utc) {
    gmtime_r(&whole, &split.calendar);
  } else {
    localtime_r(&whole, &split.calendar);
  }
  return split;
}

class TextLogFormatter final : public spdlog::formatter {
 public:
  TextLogFormatter(LogIdentity identity, bool for_journal)
      : identity_(std::move(identity)), for_journal_(for_journal) {
    tag_ = identity_.host_uuid.empty()
               ? fmt::format("[{}]", identity_.host_name)
               : fmt::format("[{} {}]", identity_.host_name, identity_.host_uuid);
  }

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto out = std::back_inserter(dest);
    if (for_journal_) {
      fmt::format_to(out, "<{}>", syslog_priority(msg.level));
    } else {
      const SplitTime t = split_time(msg.time, false);
      fmt::format_to(out, "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} ", t.calendar.tm_year + 1900,
                     t.calendar.tm_mon + 1, t.calendar.tm_mday, t.calendar.tm_hour,
                     t.calendar.tm_min, t.calendar.tm_sec, t.milliseconds);
    }
    fmt::format_to(out, "[{}] {} {}\n", level_name(msg.level), tag_, payload_of(msg));
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextLogFormatter>(identity_, for_journal_);
  }

 private:
  LogIdentity identity_;
  bool for_journal_;
  std::string tag_;
};

class JsonLogFormatter final : public spdlog::formatter {
 public:
  explicit JsonLogFormatter(LogIdentity identity) : identity_(std::move(identity)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const SplitTime t = split_time(msg.time, true);
    nlohmann::ordered_json line;  // fields in the order written, time first
    line["time"] =
        fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.calendar.tm_year + 1900,
                    t.calendar.tm_mon + 1, t.calendar.tm_mday, t.calendar.tm_hour,
                    t.calendar.tm_min, t.calendar.tm_sec, t.milliseconds);
    line["level"] = level_name(msg.level);
    line["host"] = identity_.host_name;
    if (!identity_.host_uuid.empty()) line["host_uuid"] = identity_.host_uuid;
    line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    line["message"] = payload_of(msg);
    // A message is not guaranteed to be UTF-8 (it may quote a device's
    // answer); replacing bad bytes keeps the line valid JSON.
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>(identity_);
  }

 private:
  LogIdentity identity_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_text_log_formatter(LogIdentity identity, bool for_journal) {
  require_host_name(identity);
  return std::make_unique<TextLogFormatter>(std::move(identity), for_journal);
}

std::unique_ptr<spdlog::formatter> make_json_log_formatter(LogIdentity identity) {
  require_host_name(identity);
  return std::make_unique<JsonLogFormatter>(std::move(identity));
}

}  // namespace poolha::daemon

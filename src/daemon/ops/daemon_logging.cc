#include "daemon/ops/daemon_logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "daemon/ops/log_line_formats.h"

namespace poolha::daemon {
namespace {

constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> kLevels{{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},
    {"critical", spdlog::level::critical},
    {"off", spdlog::level::off},
}};

bool parse_number(std::string_view text, std::uint64_t& value) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return !text.empty() && error == std::errc() && stop == end;
}

}  // namespace

spdlog::level::level_enum parse_log_level(std::string_view name) {
  for (const auto& [level_name, level] : kLevels) {
    if (name == level_name) return level;
  }
  throw std::invalid_argument(fmt::format(
      "unknown log level '{}' (trace, debug, info, warn, error, critical or off)", name));
}

LogFormat parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  throw std::invalid_argument(fmt::format("unknown log format '{}' (text or json)", name));
}

bool is_journal_stream(int fd) {
  const char* variable = std::getenv("JOURNAL_STREAM");
  if (variable == nullptr) return false;
  const std::string_view text(variable);
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  if (!parse_number(text.substr(0, colon), device) ||
      !parse_number(text.substr(colon + 1), inode)) {
    return false;
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) return false;
  return static_cast<std::uint64_t>(status.st_dev) == device &&
         static_cast<std::uint64_t>(status.st_ino) == inode;
}

std::shared_ptr<spdlog::logger> make_daemon_logger(const LoggingOptions& options,
                                                   spdlog::sink_ptr sink, bool journal) {
  if (!sink) throw std::invalid_argument("the daemon's logger needs a sink");
  const spdlog::level::level_enum level = parse_log_level(options.level);
  const LogFormat format = parse_log_format(options.format);
  LogIdentity identity{options.host_name, options.host_uuid};
  sink->set_formatter(format == LogFormat::kJson
                          ? make_json_log_formatter(std::move(identity))
                          : make_text_log_formatter(std::move(identity), journal));
  auto logger = std::make_shared<spdlog::logger>("poolha", std::move(sink));
  logger->set_level(level);
  return logger;
}

void setup_logging(const LoggingOptions& options) {
  auto logger = make_daemon_logger(options, std::make_shared<spdlog::sinks::stderr_sink_mt>(),
                                   is_journal_stream(STDERR_FILENO));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace poolha::daemon

// The daemon's logging: JSON lines parse with the expected fields, text lines
// carry the host and (outside the journal) a timestamp, levels filter, bad
// options are refused, and setup_logging really writes to stderr.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/ops/daemon_logging.h"
#include "scoped_environment.h"

namespace poolha::daemon {
namespace {

using nlohmann::json;
using test_support::ScopedEnvironment;

constexpr const char* kUuid = "aaaaaaaa-0000-4000-8000-000000000001";

LoggingOptions options_for(std::string format, std::string level = "info") {
  LoggingOptions options;
  options.level = std::move(level);
  options.format = std::move(format);
  options.host_name = "host-a";
  options.host_uuid = kUuid;
  return options;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// A daemon logger writing into a string.
struct CapturedLogger {
  CapturedLogger(const LoggingOptions& options, bool journal)
      : logger(make_daemon_logger(
            options, std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true), journal)) {}
  std::vector<std::string> lines() const { return lines_of(out.str()); }

  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;
};

TEST(DaemonLogging, JsonLinesCarryTimeLevelHostLoggerAndMessage) {
  CapturedLogger captured(options_for("json"), false);
  captured.logger->info("fence: \"quoted\" and a\nnewline");
  captured.logger->warn("statefile read took {} ms", 1200);
  const std::vector<std::string> lines = captured.lines();
  ASSERT_EQ(lines.size(), 2u) << captured.out.str();

  const json first = json::parse(lines[0]);
  const std::regex utc_time(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(first.at("time").get<std::string>(), utc_time)) << first;
  EXPECT_EQ(first.at("level"), "info");
  EXPECT_EQ(first.at("host"), "host-a");
  EXPECT_EQ(first.at("host_uuid"), kUuid);
  EXPECT_EQ(first.at("logger"), "poolha");
  EXPECT_EQ(first.at("message"), "fence: \"quoted\" and a\nnewline");

  const json second = json::parse(lines[1]);
  EXPECT_EQ(second.at("level"), "warning");
  EXPECT_EQ(second.at("message"), "statefile read took 1200 ms");
}

TEST(DaemonLogging, JsonLinesStayValidWithInvalidUtf8) {
  CapturedLogger captured(options_for("json"), false);
  captured.logger->error("device answered \xff\xfe");
  const std::vector<std::string> lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  const json line = json::parse(lines[0]);
  EXPECT_EQ(line.at("message").get<std::string>().rfind("device answered ", 0), 0u);
}

TEST(DaemonLogging, JsonLinesOmitAnUnknownUuid) {
  LoggingOptions options = options_for("json");
  options.host_uuid.clear();
  CapturedLogger captured(options, false);
  captured.logger->info("starting");
  const json line = json::parse(captured.lines().at(0));
  EXPECT_EQ(line.at("host"), "host-a");
  EXPECT_FALSE(line.contains("host_uuid"));
}

TEST(DaemonLogging, TextLinesHaveTimeLevelAndHost) {
  CapturedLogger captured(options_for("text"), false);
  captured.logger->info("joined the liveset");
  const std::vector<std::string> lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::regex shape(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} \[info\] \[host-a )" +
                         std::string(kUuid) + R"(\] joined the liveset)");
  EXPECT_TRUE(std::regex_match(lines[0], shape)) << lines[0];
}

TEST(DaemonLogging, JournalLinesHavePriorityInsteadOfTime) {
  CapturedLogger captured(options_for("text", "debug"), true);
  captured.logger->critical("fencing");
  captured.logger->error("failed");
  captured.logger->warn("slow");
  captured.logger->info("fine");
  captured.logger->debug("detail");
  const std::string tag = std::string("[host-a ") + kUuid + "]";
  EXPECT_EQ(captured.lines(), (std::vector<std::string>{
                                  "<2>[critical] " + tag + " fencing",
                                  "<3>[error] " + tag + " failed",
                                  "<4>[warning] " + tag + " slow",
                                  "<6>[info] " + tag + " fine",
                                  "<7>[debug] " + tag + " detail",
                              }));
}

TEST(DaemonLogging, LevelFiltersLines) {
  CapturedLogger captured(options_for("json", "warn"), false);
  captured.logger->debug("no");
  captured.logger->info("no");
  captured.logger->warn("yes");
  captured.logger->error("yes");
  const std::vector<std::string> lines = captured.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0]).at("level"), "warning");
  EXPECT_EQ(json::parse(lines[1]).at("level"), "error");
}

TEST(DaemonLogging, LevelsAndFormatsByName) {
  EXPECT_EQ(parse_log_level("trace"), spdlog::level::trace);
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(parse_log_level("info"), spdlog::level::info);
  EXPECT_EQ(parse_log_level("warn"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
  EXPECT_EQ(parse_log_level("critical"), spdlog::level::critical);
  EXPECT_EQ(parse_log_level("off"), spdlog::level::off);
  EXPECT_EQ(parse_log_format("text"), LogFormat::kText);
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
}

TEST(DaemonLogging, BadOptionsAreRefusedWithTheirValue) {
  for (const std::string level : {"verbose", "", "INFO", "err"}) {
    try {
      parse_log_level(level);
      ADD_FAILURE() << "accepted level '" << level << "'";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("'" + level + "'"), std::string::npos);
      EXPECT_NE(std::string(error.what()).find("critical"), std::string::npos);
    }
  }
  EXPECT_THROW(parse_log_format("xml"), std::invalid_argument);
  EXPECT_THROW(parse_log_format(""), std::invalid_argument);

  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  EXPECT_THROW(make_daemon_logger(options_for("yaml"), sink, false), std::invalid_argument);
  EXPECT_THROW(make_daemon_logger(options_for("json", "loud"), sink, false), std::invalid_argument);
  LoggingOptions nameless = options_for("text");
  nameless.host_name.clear();
  EXPECT_THROW(make_daemon_logger(nameless, sink, false), std::invalid_argument);
  EXPECT_THROW(make_daemon_logger(options_for("text"), nullptr, false), std::invalid_argument);
}

// Keeps spdlog's default logger and fd 2 as they were.
class SetupLoggingTest : public ::testing::Test {
 protected:
  SetupLoggingTest() : previous(spdlog::default_logger()) {}
  ~SetupLoggingTest() override { spdlog::set_default_logger(previous); }

  // Runs `body` with fd 2 redirected into a file; returns what was written.
  template <typename Body>
  std::string capture_stderr(Body body) {
    const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                       ("poolha-stderr-" + std::to_string(::getpid()) + ".log");
    std::fflush(stderr);
    const int saved = ::dup(STDERR_FILENO);
    std::FILE* target = std::fopen(file.c_str(), "w");
    if (target == nullptr) throw std::runtime_error("cannot create " + file.string());
    ::dup2(::fileno(target), STDERR_FILENO);
    body();
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::fclose(target);
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::filesystem::remove(file);
    return text.str();
  }

  std::shared_ptr<spdlog::logger> previous;
};

TEST_F(SetupLoggingTest, DefaultLoggerWritesJsonToStderr) {
  ScopedEnvironment env;
  env.unset("JOURNAL_STREAM");
  const std::string text = capture_stderr([] {
    setup_logging(options_for("json", "debug"));
    spdlog::debug("fence: {} armed", "watchdog");
  });
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  const json line = json::parse(lines[0]);
  EXPECT_EQ(line.at("message"), "fence: watchdog armed");
  EXPECT_EQ(line.at("level"), "debug");
  EXPECT_EQ(line.at("host"), "host-a");
}

TEST_F(SetupLoggingTest, BadOptionsLeaveTheDefaultLogger) {
  const auto before = spdlog::default_logger();
  EXPECT_THROW(setup_logging(options_for("json", "chatty")), std::invalid_argument);
  EXPECT_EQ(spdlog::default_logger(), before);
}

TEST(JournalStream, MatchesOnlyTheStreamSystemdNamed) {
  ScopedEnvironment env;
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("poolha-journal-" + std::to_string(::getpid()) + ".log");
  std::FILE* stream = std::fopen(file.c_str(), "w");
  ASSERT_NE(stream, nullptr);
  const int fd = ::fileno(stream);
  struct stat status {};
  ASSERT_EQ(::fstat(fd, &status), 0);

  env.unset("JOURNAL_STREAM");
  EXPECT_FALSE(is_journal_stream(fd));
  env.set("JOURNAL_STREAM", std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino));
  EXPECT_TRUE(is_journal_stream(fd));
  env.set("JOURNAL_STREAM",
          std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino + 1));
  EXPECT_FALSE(is_journal_stream(fd));
  env.set("JOURNAL_STREAM", "not-a-stream");
  EXPECT_FALSE(is_journal_stream(fd));
  env.set("JOURNAL_STREAM", std::to_string(status.st_dev) + ":");
  EXPECT_FALSE(is_journal_stream(fd));

  std::fclose(stream);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace poolha::daemon

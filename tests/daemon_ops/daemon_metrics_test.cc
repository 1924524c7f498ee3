// DaemonMetrics: what the setters set shows in the rendered exposition text,
// and that text is well-formed (HELP and TYPE for every family, every sample
// line in the exposition syntax).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/ops/daemon_metrics.h"

namespace poolha::daemon {
namespace {

// One parsed exposition text: series (name plus labels, as written) to value,
// and the HELP and TYPE lines seen per family.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::vector<std::string> bad_lines;
};

Exposition parse(const std::string& text) {
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})?) ([-+]?[0-9.eE+-]+|[-+]Inf|NaN)$)");
  static const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$)");
  static const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$)");
  Exposition result;
  std::istringstream lines(text);
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (std::regex_match(line, match, kHelp)) {
      result.helped.insert(match[1]);
    } else if (std::regex_match(line, match, kType)) {
      result.types[match[1]] = match[2];
    } else if (std::regex_match(line, match, kSample)) {
      result.samples[match[1]] = std::stod(match[4]);
    } else {
      result.bad_lines.push_back(line);
    }
  }
  return result;
}

class DaemonMetricsTest : public ::testing::Test {
 protected:
  double value(const std::string& series) {
    const Exposition exposition = parse(metrics.render());
    const auto found = exposition.samples.find(series);
    if (found == exposition.samples.end()) {
      ADD_FAILURE() << "no series " << series;
      return -1;
    }
    return found->second;
  }

  DaemonMetrics metrics{{"VM.start", "pool.enable_ha", "session.login_with_password"}};
};

TEST_F(DaemonMetricsTest, EveryFamilyIsWellFormedAndDocumented) {
  const Exposition exposition = parse(metrics.render());
  EXPECT_EQ(exposition.bad_lines, std::vector<std::string>{});
  const std::map<std::string, std::string> expected{
      {"poolha_ha_enabled", "gauge"},
      {"poolha_ha_generation", "gauge"},
      {"poolha_phase", "gauge"},
      {"poolha_liveset_epoch", "gauge"},
      {"poolha_liveset_members", "gauge"},
      {"poolha_is_master", "gauge"},
      {"poolha_watchdog_armed", "gauge"},
      {"poolha_statefile_ops_total", "counter"},
      {"poolha_heartbeats_sent_total", "counter"},
      {"poolha_heartbeats_received_total", "counter"},
      {"poolha_fences_total", "counter"},
      {"poolha_vms_running", "gauge"},
      {"poolha_vm_starts_total", "counter"},
      {"poolha_vm_stops_total", "counter"},
      {"poolha_failover_restarts_total", "counter"},
      {"poolha_alerts_total", "counter"},
      {"poolha_api_calls_total", "counter"},
      {"poolha_pool_database_generation", "gauge"},
  };
  for (const auto& [name, type] : expected) {
    EXPECT_EQ(exposition.types.count(name), 1u) << name;
    if (exposition.types.count(name) == 1) {
      EXPECT_EQ(exposition.types.at(name), type) << name;
    }
    EXPECT_EQ(exposition.helped.count(name), 1u) << name;
  }
  // Every sample belongs to a family that was declared.
  for (const auto& [series, sample] : exposition.samples) {
    const std::string family = series.substr(0, series.find('{'));
    EXPECT_EQ(exposition.types.count(family), 1u) << series;
  }
}

TEST_F(DaemonMetricsTest, GaugesShowTheLastValueSet) {
  metrics.set_ha_enabled(true);
  metrics.set_ha_generation(7);
  metrics.set_liveset(1099511627776, 3);
  metrics.set_master(true);
  metrics.set_watchdog_armed(true);
  metrics.set_vms_running(12);
  metrics.set_pool_database_generation(4242);
  EXPECT_EQ(value("poolha_ha_enabled"), 1);
  EXPECT_EQ(value("poolha_ha_generation"), 7);
  EXPECT_EQ(value("poolha_liveset_epoch"), 1099511627776.0);
  EXPECT_EQ(value("poolha_liveset_members"), 3);
  EXPECT_EQ(value("poolha_is_master"), 1);
  EXPECT_EQ(value("poolha_watchdog_armed"), 1);
  EXPECT_EQ(value("poolha_vms_running"), 12);
  EXPECT_EQ(value("poolha_pool_database_generation"), 4242);

  metrics.set_master(false);
  metrics.set_watchdog_armed(false);
  metrics.set_ha_enabled(false);
  EXPECT_EQ(value("poolha_is_master"), 0);
  EXPECT_EQ(value("poolha_watchdog_armed"), 0);
  EXPECT_EQ(value("poolha_ha_enabled"), 0);
}

TEST_F(DaemonMetricsTest, ExactlyTheCurrentPhaseIsOne) {
  const std::vector<std::string> phases{"booting", "emergency", "joining", "member",
                                        "left",    "fenced",    "disabled"};
  metrics.set_phase(wire::Phase::kMember);
  for (const std::string& phase : phases) {
    EXPECT_EQ(value("poolha_phase{phase=\"" + phase + "\"}"), phase == "member" ? 1 : 0) << phase;
  }
  metrics.set_phase(wire::Phase::kFenced);
  EXPECT_EQ(value("poolha_phase{phase=\"member\"}"), 0);
  EXPECT_EQ(value("poolha_phase{phase=\"fenced\"}"), 1);
  metrics.set_phase(std::nullopt);
  for (const std::string& phase : phases) {
    EXPECT_EQ(value("poolha_phase{phase=\"" + phase + "\"}"), 0) << phase;
  }
}

TEST_F(DaemonMetricsTest, CountersAddUpByResult) {
  EXPECT_EQ(value("poolha_statefile_ops_total{result=\"timed_out\"}"), 0);
  metrics.count_statefile_ops(OperationResult::kOk, 10);
  metrics.count_statefile_ops(OperationResult::kOk);
  metrics.count_statefile_ops(OperationResult::kTimedOut);
  metrics.count_vm_start(OperationResult::kOk);
  metrics.count_vm_start(OperationResult::kFailed);
  metrics.count_vm_start(OperationResult::kFailed);
  metrics.count_vm_stop(OperationResult::kTimedOut);
  metrics.count_heartbeats_sent(5);
  metrics.count_heartbeats_received(4);
  metrics.count_heartbeats_received();
  metrics.count_failover_restarts(2);
  EXPECT_EQ(value("poolha_statefile_ops_total{result=\"ok\"}"), 11);
  EXPECT_EQ(value("poolha_statefile_ops_total{result=\"failed\"}"), 0);
  EXPECT_EQ(value("poolha_statefile_ops_total{result=\"timed_out\"}"), 1);
  EXPECT_EQ(value("poolha_vm_starts_total{result=\"ok\"}"), 1);
  EXPECT_EQ(value("poolha_vm_starts_total{result=\"failed\"}"), 2);
  EXPECT_EQ(value("poolha_vm_stops_total{result=\"timed_out\"}"), 1);
  EXPECT_EQ(value("poolha_vm_stops_total{result=\"ok\"}"), 0);
  EXPECT_EQ(value("poolha_heartbeats_sent_total"), 5);
  EXPECT_EQ(value("poolha_heartbeats_received_total"), 5);
  EXPECT_EQ(value("poolha_failover_restarts_total"), 2);
}

TEST_F(DaemonMetricsTest, FencesTotalRisesToTheRecordedCountAndNeverFalls) {
  metrics.set_fences_total(2);
  EXPECT_EQ(value("poolha_fences_total"), 2);
  metrics.set_fences_total(2);
  metrics.set_fences_total(5);
  EXPECT_EQ(value("poolha_fences_total"), 5);
  EXPECT_THROW(metrics.set_fences_total(4), std::invalid_argument);
  EXPECT_EQ(value("poolha_fences_total"), 5);
}

TEST_F(DaemonMetricsTest, AlertsAreCountedByName) {
  EXPECT_EQ(value("poolha_alerts_total{name=\"HA_HOST_FAILED\"}"), 0);
  EXPECT_EQ(value("poolha_alerts_total{name=\"HA_PROTECTED_VM_RESTART_FAILED\"}"), 0);
  metrics.count_alert("HA_HOST_FAILED");
  metrics.count_alert("HA_HOST_FAILED");
  metrics.count_alert("HA_STATEFILE_LOST");
  EXPECT_EQ(value("poolha_alerts_total{name=\"HA_HOST_FAILED\"}"), 2);
  EXPECT_EQ(value("poolha_alerts_total{name=\"HA_STATEFILE_LOST\"}"), 1);
  // An alert added to the daemon later still counts.
  EXPECT_EQ(parse(metrics.render()).samples.count("poolha_alerts_total{name=\"HA_NEW_ALERT\"}"),
            0u);
  metrics.count_alert("HA_NEW_ALERT");
  EXPECT_EQ(value("poolha_alerts_total{name=\"HA_NEW_ALERT\"}"), 1);
  EXPECT_THROW(metrics.count_alert(""), std::invalid_argument);
}

TEST_F(DaemonMetricsTest, UnknownApiMethodsShareOneSeries) {
  metrics.count_api_call("VM.start");
  metrics.count_api_call("VM.start");
  metrics.count_api_call("no.such_method");
  metrics.count_api_call("another.made_up_name");
  EXPECT_EQ(value("poolha_api_calls_total{method=\"VM.start\"}"), 2);
  EXPECT_EQ(value("poolha_api_calls_total{method=\"pool.enable_ha\"}"), 0);
  EXPECT_EQ(value("poolha_api_calls_total{method=\"other\"}"), 2);
  EXPECT_EQ(
      parse(metrics.render()).samples.count("poolha_api_calls_total{method=\"no.such_method\"}"),
      0u);
}

TEST(DaemonMetricsConstruction, OtherIsNotAnApiMethodName) {
  EXPECT_THROW(DaemonMetrics({"VM.start", "other"}), std::invalid_argument);
}

TEST(OperationResultLabel, NamesEveryResult) {
  EXPECT_EQ(result_label(OperationResult::kOk), "ok");
  EXPECT_EQ(result_label(OperationResult::kFailed), "failed");
  EXPECT_EQ(result_label(OperationResult::kTimedOut), "timed_out");
}

}  // namespace
}  // namespace poolha::daemon

// Plays a Scenario on a fresh Simulator: schedules its actions, evaluates its
// expectations, and reports what failed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "sim/simulator.h"

namespace poolha::sim {

struct RunOptions {
  bool keep_timeline = false;    // return the timeline's lines in the report
  std::ostream* echo = nullptr;  // print timeline lines as they happen
  bool hash_timeline = false;    // compute the timeline hash without keeping lines
  bool stop_on_violation = false;
  // Called with the simulator once the run ended (benchmarks read its records).
  std::function<void(const Simulator&)> inspect;
};

struct RunReport {
  std::string name;
  std::optional<std::string> error;  // the scenario could not run at all
  std::vector<Violation> violations;
  std::vector<std::string> failed_expectations;
  std::size_t expectations = 0;
  std::size_t fences = 0;
  Duration simulated{};
  double wall_seconds = 0;
  SimCounters counters;
  std::uint64_t timeline_hash = 0;
  std::vector<std::string> timeline;

  bool passed() const { return !error && violations.empty() && failed_expectations.empty(); }
};

RunReport run_scenario(const Scenario& scenario, const RunOptions& options = {});

}  // namespace poolha::sim

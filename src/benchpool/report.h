// The performance report: every figure `poolha bench-report` measured, and
// its rendering as the Markdown of bench/RESULTS.md. Rendering is a pure
// function of the data, so what the file says can be tested without
// running a pool, and nothing in the file is typed in by hand.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "benchpool/machine_info.h"

namespace poolha::benchpool {

enum class CrashKind { kSlave, kMaster };

const char* crash_name(CrashKind kind);

// One configuration of the failover benchmark: a crash kind at one T.
struct FailoverRow {
  CrashKind crash = CrashKind::kSlave;
  int timeout_seconds = 10;
  std::size_t hosts = 3;
  std::size_t vms = 2;  // protected VMs on the victim each trial
  std::size_t trials_asked = 0;
  // Per completed trial: power loss to the last of the victim's VMs
  // acknowledging its first record on a survivor (the VMs' ack logs), and
  // to a survivor's API first reporting them all running there (polled).
  std::vector<double> failover_seconds;
  std::vector<double> api_seconds;
  // Per VM start on an idle host: the start command to its first ack.
  std::vector<double> boot_seconds;
  double pool_setup_seconds = 0;      // pool creation to HA enabled
  std::vector<double> reset_seconds;  // per trial after the first: reboot to VMs placed again
  double wall_seconds = 0;            // the whole row
  std::string oracle;                 // the disk oracle's verdict after the row; empty: not judged
  std::string error;                  // why the row ended before all trials; empty when it did not
};

// Daemon (or fencer) CPU and memory in one idle pool.
struct UsageRow {
  std::size_t hosts = 0;
  std::size_t vms_running = 0;
  int timeout_seconds = 10;
  std::string process;  // "daemon" or "fencer"
  std::size_t processes = 0;
  double window_seconds = 0;
  double cpu_mean_percent = 0;  // of one core, mean over the processes
  double cpu_max_percent = 0;   // the busiest process
  double rss_mean_mib = 0;      // over every sample of every process
  double rss_max_mib = 0;
  std::string error;  // when set, only the pool shape is meaningful
};

// One pool size of the planner timing.
struct PlannerRow {
  std::size_t hosts = 0;
  std::size_t vms = 0;
  double fill_percent = 0;
  unsigned tolerated = 0;
  int runs = 0;
  double max_failures_ms = 0;  // best of `runs`
  double would_break_ms = 0;   // best of `runs`
};

// One simulator measurement.
struct SimRow {
  std::string what;  // the workload, e.g. "random sweep, 5 hosts, 40 VMs, seeds 1..200"
  double simulated_seconds = 0;
  double wall_seconds = 0;
  unsigned threads = 1;
  std::size_t runs = 0;
  std::size_t failed = 0;  // seeds with violations: a speed figure from a broken run is suspect
};

struct Report {
  std::string command;  // the command line that wrote the report
  std::string started;  // UTC
  double wall_seconds = 0;
  MachineInfo machine;
  bool quick = false;

  std::vector<FailoverRow> failover;
  std::string failover_skipped;  // why the section was not measured
  std::vector<UsageRow> usage;
  std::string usage_skipped;
  std::vector<PlannerRow> planner;
  std::string planner_skipped;
  std::vector<SimRow> sim;
  std::string sim_skipped;
};

// The target for a slave crash: p99 of the failover time at most
// 1.2 T plus the VM boot time (the median boot measured in the same row).
struct TargetCheck {
  bool known = false;  // false without failover or boot samples
  double bound_seconds = 0;
  double p99_seconds = 0;
  bool holds = false;
};
TargetCheck check_failover_target(const FailoverRow& row);

// "12.3 s (1.23 T)".
std::string seconds_and_t(double seconds, int timeout_seconds);

std::string render_markdown(const Report& report);

}  // namespace poolha::benchpool

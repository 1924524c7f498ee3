// Rendering the performance report as Markdown (report.h).
#include "benchpool/report.h"

#include <algorithm>

#include <fmt/format.h>

#include "benchpool/statistics.h"

namespace poolha::benchpool {
namespace {

std::string mib(double value) {
  return fmt::format("{:.1f} MiB", value);
}

std::string percent(double value) {
  return fmt::format("{:.2f} %", value);
}

std::string duration_text(double seconds) {
  if (seconds >= 120) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} s", seconds);
}

std::string simulated_text(double seconds) {
  if (seconds >= 3600) return fmt::format("{:.1f} h", seconds / 3600);
  return duration_text(seconds);
}

std::string skipped_line(const std::string& why) {
  return "Not measured: " + why + "\n";
}

void render_failover(const Report& report, std::string& out) {
  out += "## 1. Failover latency of real daemons\n\n";
  if (!report.failover_skipped.empty()) {
    out += skipped_line(report.failover_skipped) + "\n";
    return;
  }
  if (report.failover.empty()) {
    out += "No configuration was asked for.\n\n";
    return;
  }
  const FailoverRow& first = report.failover.front();
  out += fmt::format(
      "A pool of {} hosts, each in its own network namespace with its own `poolha daemon` and "
      "`poolha fencer`; the heartbeat SR and one disk per VM are served over NBD from a storage "
      "namespace. Each trial starts from HA enabled and {} protected disk-writer VMs running on "
      "the victim (the master, or a slave), cuts the victim's power (every process of the host "
      "killed at once) and waits until every one of those VMs runs on a survivor. The pool is "
      "reused: after a trial the victim boots again, rejoins, and the VMs are shut down and "
      "started on the next victim with `xe vm-start ... on=`.\n\n",
      first.hosts, first.vms);
  out +=
      "- **failover**: from the power loss to the last of the victim's VMs acknowledging its "
      "first record on a survivor. Taken from the VMs' ack logs: a disk writer appends a line "
      "only once its record is durable on its disk, stamped with CLOCK_MONOTONIC (the clock the "
      "benchmark reads when it cuts the power), so the figure is the moment the VM is doing work "
      "again, exact to the clock, whatever the polling interval.\n"
      "- **API**: when a survivor's API first reported every protected VM running on a survivor "
      "(polled every 250 ms, so up to that much later than the truth); shown for comparison.\n"
      "- **boot**: from `xe vm-start ... on=HOST` to the VM's first acknowledged record, for "
      "every start on a live pool in the same run: what a VM start costs without any failure.\n"
      "- p50 and p99 are nearest-rank percentiles of the trials";
  bool any_short = false;
  for (const FailoverRow& row : report.failover)
    any_short = any_short || row.failover_seconds.size() < 100;
  out += any_short ? "; with fewer than 100 trials p99 is the maximum.\n" : ".\n";
  out +=
      "- **target** (slave crash): p99 of the failover at most 1.2 T plus the median boot "
      "measured in the same row.\n\n";

  out +=
      "| crash | T | trials | failover p50 | failover p99 | failover max | API p50 | API max | "
      "boot p50 | boot max | target: p99 <= 1.2 T + boot |\n";
  out += "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const FailoverRow& row : report.failover) {
    const Summary failover = summarize(row.failover_seconds);
    const Summary api = summarize(row.api_seconds);
    const Summary boot = summarize(row.boot_seconds);
    auto cell = [&row](const Summary& s, double value) {
      return s.count == 0 ? std::string("-") : seconds_and_t(value, row.timeout_seconds);
    };
    auto plain = [](const Summary& s, double value) {
      return s.count == 0 ? std::string("-") : fmt::format("{:.2f} s", value);
    };
    std::string target = "-";
    if (row.crash == CrashKind::kSlave) {
      const TargetCheck check = check_failover_target(row);
      target = check.known
                   ? fmt::format("{} ({:.1f} s {} {:.1f} s)",
                                 check.holds ? "**holds**" : "**does not hold**", check.p99_seconds,
                                 check.holds ? "<=" : ">", check.bound_seconds)
                   : "unknown";
    }
    out += fmt::format("| {} | {} s | {}/{} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                       crash_name(row.crash), row.timeout_seconds, row.failover_seconds.size(),
                       row.trials_asked, cell(failover, failover.p50), cell(failover, failover.p99),
                       cell(failover, failover.max), cell(api, api.p50), cell(api, api.max),
                       plain(boot, boot.p50), plain(boot, boot.max), target);
  }
  out +=
      "\nWhat the runs cost, and the disk oracle's verdict on every VM disk and ack log of the "
      "row (no VM ran twice at once, no acknowledged write lost):\n\n";
  out +=
      "| crash | T | pool creation to HA enabled | reset between trials (p50) | row wall time "
      "| disk oracle |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const FailoverRow& row : report.failover) {
    const Summary reset = summarize(row.reset_seconds);
    out += fmt::format("| {} | {} s | {:.1f} s | {} | {} | {} |\n", crash_name(row.crash),
                       row.timeout_seconds, row.pool_setup_seconds,
                       reset.count == 0 ? std::string("-") : fmt::format("{:.1f} s", reset.p50),
                       duration_text(row.wall_seconds),
                       row.oracle.empty() ? std::string("not judged") : row.oracle);
  }
  for (const FailoverRow& row : report.failover) {
    if (row.error.empty()) continue;
    out += fmt::format("\n{} crash at T = {} s stopped after {} of {} trials: {}\n",
                       crash_name(row.crash), row.timeout_seconds, row.failover_seconds.size(),
                       row.trials_asked, row.error);
  }
  out += "\n";
}

void render_usage(const Report& report, std::string& out) {
  out += "## 2. Daemon CPU and memory\n\n";
  if (!report.usage_skipped.empty()) {
    out += skipped_line(report.usage_skipped) + "\n";
    return;
  }
  out +=
      "Pools of the shape above with HA enabled and nothing else happening (no API calls during "
      "the window). Every process is sampled once a second from /proc/PID/stat (user + system "
      "CPU time) and /proc/PID/status (VmRSS). CPU is % of one core over the window: the mean "
      "over the hosts' processes, and the busiest one (usually the master). RSS: the mean over "
      "every sample of every process, and the largest sample. The fencer locks all its memory "
      "(mlockall), so that it is never paged out when it has to act: its RSS is the poolha "
      "binary and libraries it maps, resident by design.\n\n";
  out +=
      "| hosts | VMs running | T | process | processes | window | CPU mean | CPU max | RSS mean "
      "| RSS max |\n";
  out += "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const UsageRow& row : report.usage) {
    if (!row.error.empty()) {
      out += fmt::format("| {} | {} | {} s | {} | - | - | - | - | - | - |\n", row.hosts,
                         row.vms_running, row.timeout_seconds,
                         row.process.empty() ? std::string("-") : row.process);
      continue;
    }
    out += fmt::format("| {} | {} | {} s | {} | {} | {:.0f} s | {} | {} | {} | {} |\n", row.hosts,
                       row.vms_running, row.timeout_seconds, row.process, row.processes,
                       row.window_seconds, percent(row.cpu_mean_percent),
                       percent(row.cpu_max_percent), mib(row.rss_mean_mib), mib(row.rss_max_mib));
  }
  for (const UsageRow& row : report.usage) {
    if (!row.error.empty()) {
      out += fmt::format("\n{} hosts, {} VMs: not measured: {}\n", row.hosts, row.vms_running,
                         row.error);
    }
  }
  out += "\n";
}

// Small pools plan in well under a millisecond; one decimal of ms would show 0.0.
std::string planner_time(double milliseconds) {
  if (milliseconds < 1.0) return fmt::format("{:.0f} µs", milliseconds * 1000.0);
  return fmt::format("{:.1f} ms", milliseconds);
}

void render_planner(const Report& report, std::string& out) {
  out += "## 3. Admission-control planner\n\n";
  if (!report.planner_skipped.empty()) {
    out += skipped_line(report.planner_skipped) + "\n";
    return;
  }
  out +=
      "The pools of `bench-planner` (bench/planner: the same generator, seed and sizes; the "
      "generator is linked into this command and the planner timed in-process on one thread), "
      "best wall time of several runs. `max_host_failures_to_tolerate` is what "
      "`xe pool-ha-compute-max-host-failures-to-tolerate` runs; `would_break_plan` is the check "
      "made before each operation that could break the failover plan.\n\n";
  out +=
      "| hosts | VMs | fill | failures tolerated | runs | max_host_failures_to_tolerate | "
      "would_break_plan |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const PlannerRow& row : report.planner) {
    out += fmt::format("| {} | {} | {:.1f} % | {} | {} | {} | {} |\n", row.hosts, row.vms,
                       row.fill_percent, row.tolerated, row.runs, planner_time(row.max_failures_ms),
                       planner_time(row.would_break_ms));
  }
  out += "\n";
}

void render_sim(const Report& report, std::string& out) {
  out += "## 4. Simulator speed\n\n";
  if (!report.sim_skipped.empty()) {
    out += skipped_line(report.sim_skipped) + "\n";
    return;
  }
  out +=
      "Run in-process: the random sweep is what `poolha sim --random` runs (random fault "
      "schedules, every invariant checked at every step), on every core; the steady pool is "
      "`bench-sim`'s 16-host pool on one thread. Speed is simulated time per wall second.\n\n";
  out +=
      "| workload | runs | threads | simulated | wall | x real time | x real time per thread | "
      "failed runs |\n";
  out += "|---|---|---|---|---|---|---|---|\n";
  for (const SimRow& row : report.sim) {
    const double speed = row.wall_seconds > 0 ? row.simulated_seconds / row.wall_seconds : 0;
    out += fmt::format("| {} | {} | {} | {} | {:.2f} s | {:.0f} | {:.0f} | {} |\n", row.what,
                       row.runs, row.threads, simulated_text(row.simulated_seconds),
                       row.wall_seconds, speed, speed / std::max(1u, row.threads), row.failed);
  }
  out += "\n";
}

}  // namespace

const char* crash_name(CrashKind kind) {
  return kind == CrashKind::kSlave ? "slave" : "master";
}

std::string seconds_and_t(double seconds, int timeout_seconds) {
  return fmt::format("{:.2f} s ({:.2f} T)", seconds,
                     timeout_seconds > 0 ? seconds / timeout_seconds : 0.0);
}

TargetCheck check_failover_target(const FailoverRow& row) {
  TargetCheck check;
  if (row.failover_seconds.empty() || row.boot_seconds.empty()) return check;
  check.known = true;
  check.p99_seconds = summarize(row.failover_seconds).p99;
  check.bound_seconds = 1.2 * row.timeout_seconds + summarize(row.boot_seconds).p50;
  check.holds = check.p99_seconds <= check.bound_seconds;
  return check;
}

std::string render_markdown(const Report& report) {
  std::string out = "# poolha performance results\n\n";
  out +=
      "<!-- Written by `poolha bench-report`; every figure below is its own measurement. "
      "Do not edit by hand: run the command again. -->\n\n";
  out += fmt::format("- command: `{}`\n", report.command);
  out += fmt::format("- started: {}; total wall time {}\n", report.started,
                     duration_text(report.wall_seconds));
  out += fmt::format("- machine: {}, {} logical CPUs; {}\n", report.machine.cpu_model,
                     report.machine.cores, report.machine.kernel);
  if (report.quick) {
    out +=
        "- **a --quick smoke run**: very few trials and short windows; the figures show the "
        "benchmark works, not what the system achieves\n";
  }
  out += "\n";
  render_failover(report, out);
  render_usage(report, out);
  render_planner(report, out);
  render_sim(report, out);
  return out;
}

}  // namespace poolha::benchpool

// CPU time and resident memory of running processes, read from /proc the
// way `top` does: /proc/PID/stat gives the CPU time a process has used
// (user + system, in clock ticks), /proc/PID/status its resident set
// (VmRSS). A sampler reads both once a second; CPU % of one core is the CPU
// time used over the window divided by the window's wall time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolha::benchpool {

// utime + stime (fields 14 and 15) of a /proc/PID/stat line, in clock
// ticks. The command name in parentheses may hold spaces and ')', so the
// fields are counted after the last ')'. Nothing for a malformed line.
std::optional<std::uint64_t> cpu_ticks_from_stat(std::string_view stat);

// VmRSS of a /proc/PID/status text, in KiB; nothing when absent (a kernel
// thread or a zombie has none).
std::optional<std::uint64_t> rss_kib_from_status(std::string_view status);

// The usage of one process over a sampling window.
struct ProcessUsage {
  pid_t pid = 0;
  double cpu_percent = 0;   // of one core, over the window
  double rss_mean_mib = 0;  // over the samples
  double rss_max_mib = 0;
  std::size_t rss_samples = 0;
  bool exited = false;  // it went away during the window: its figures are partial
};

// Samples `pids` for `window`, reading RSS every `interval`, and returns
// one entry per PID in the order given. `should_stop` is polled between
// samples; when it returns true the window ends early (the figures then
// cover the time sampled). Throws std::runtime_error when a PID cannot be
// read at the start.
std::vector<ProcessUsage> sample_processes(const std::vector<pid_t>& pids,
                                           std::chrono::milliseconds window,
                                           std::chrono::milliseconds interval,
                                           bool (*should_stop)() = nullptr);

// The arguments of a running process (/proc/PID/cmdline); empty when gone.
std::vector<std::string> process_arguments(pid_t pid);

}  // namespace poolha::benchpool

// Reading CPU time and RSS from /proc (process_usage.h).
#include "benchpool/process_usage.h"

#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/process_file.h"

namespace poolha::benchpool {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::optional<std::string> read_proc_file(pid_t pid, const char* name) {
  std::optional<std::string> text = read_process_file(pid, name);
  if (text && text->empty()) return std::nullopt;
  return text;
}

struct Window {
  std::uint64_t first_ticks = 0;
  std::uint64_t last_ticks = 0;
  double rss_sum_kib = 0;
  std::uint64_t rss_max_kib = 0;
  std::size_t rss_samples = 0;
  bool exited = false;
};

// One sample of a process; false when it is gone.
bool sample_once(pid_t pid, Window& window) {
  const std::optional<std::string> stat = read_proc_file(pid, "stat");
  const std::optional<std::string> status = read_proc_file(pid, "status");
  if (!stat || !status) return false;
  const std::optional<std::uint64_t> ticks = cpu_ticks_from_stat(*stat);
  const std::optional<std::uint64_t> rss = rss_kib_from_status(*status);
  if (!ticks || !rss) return false;
  window.last_ticks = *ticks;
  window.rss_sum_kib += static_cast<double>(*rss);
  window.rss_max_kib = std::max(window.rss_max_kib, *rss);
  ++window.rss_samples;
  return true;
}

}  // namespace

std::optional<std::uint64_t> cpu_ticks_from_stat(std::string_view stat) {
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::istringstream fields{std::string(stat.substr(close + 1))};
  // After the name: state (3), ppid (4) ... utime is field 14, stime 15.
  std::string field;
  for (int index = 3; index < 14; ++index) {
    if (!(fields >> field)) return std::nullopt;
  }
  std::uint64_t user = 0;
  std::uint64_t system = 0;
  if (!(fields >> user >> system)) return std::nullopt;
  return user + system;
}

std::optional<std::uint64_t> rss_kib_from_status(std::string_view status) {
  constexpr std::string_view kKey = "VmRSS:";
  std::size_t at = 0;
  while (at < status.size()) {
    std::size_t end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    const std::string_view line = status.substr(at, end - at);
    if (line.substr(0, kKey.size()) == kKey) {
      std::istringstream value{std::string(line.substr(kKey.size()))};
      std::uint64_t kib = 0;
      std::string unit;
      if (value >> kib >> unit && unit == "kB") return kib;
      return std::nullopt;
    }
    at = end + 1;
  }
  return std::nullopt;
}

std::vector<ProcessUsage> sample_processes(const std::vector<pid_t>& pids,
                                           std::chrono::milliseconds window,
                                           std::chrono::milliseconds interval,
                                           bool (*should_stop)()) {
  std::vector<Window> windows(pids.size());
  for (std::size_t i = 0; i < pids.size(); ++i) {
    if (!sample_once(pids[i], windows[i])) {
      throw std::runtime_error("cannot read /proc of process " + std::to_string(pids[i]));
    }
    windows[i].first_ticks = windows[i].last_ticks;
  }
  const auto start = SteadyClock::now();
  const auto end = start + window;
  auto next = start;
  while (SteadyClock::now() < end) {
    if (should_stop != nullptr && should_stop()) break;
    next += interval;
    std::this_thread::sleep_until(std::min(next, end));
    for (std::size_t i = 0; i < pids.size(); ++i) {
      if (!windows[i].exited && !sample_once(pids[i], windows[i])) windows[i].exited = true;
    }
  }
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::vector<ProcessUsage> usage;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    const Window& w = windows[i];
    ProcessUsage u;
    u.pid = pids[i];
    u.exited = w.exited;
    const double cpu_seconds = static_cast<double>(w.last_ticks - w.first_ticks) / ticks_per_second;
    u.cpu_percent = elapsed > 0 ? 100.0 * cpu_seconds / elapsed : 0;
    u.rss_samples = w.rss_samples;
    u.rss_mean_mib =
        w.rss_samples > 0 ? w.rss_sum_kib / static_cast<double>(w.rss_samples) / 1024 : 0;
    u.rss_max_mib = static_cast<double>(w.rss_max_kib) / 1024;
    usage.push_back(u);
  }
  return usage;
}

std::vector<std::string> process_arguments(pid_t pid) {
  std::vector<std::string> arguments;
  const std::optional<std::string> text = read_proc_file(pid, "cmdline");
  if (!text) return arguments;
  std::size_t at = 0;
  while (at < text->size()) {
    std::size_t end = text->find('\0', at);
    if (end == std::string::npos) end = text->size();
    arguments.push_back(text->substr(at, end - at));
    at = end + 1;
  }
  return arguments;
}

}  // namespace poolha::benchpool

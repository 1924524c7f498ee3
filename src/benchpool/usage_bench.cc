// Sampling the daemons of an idle pool (usage_bench.h).
#include "benchpool/usage_bench.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "benchpool/pool_driver.h"
#include "benchpool/process_usage.h"
#include "benchpool/run_errors.h"
#include "localpool/interrupt.h"

namespace poolha::benchpool {
namespace {

using localpool::LocalPool;

void sleep_seconds(double seconds) {
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  while (std::chrono::steady_clock::now() < end) {
    localpool::throw_if_interrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Which of the host's processes is the daemon and which the fencer, from
// their command lines (`poolha daemon ...`, `poolha fencer ...`).
void find_processes(LocalPool& pool, std::vector<pid_t>& daemons, std::vector<pid_t>& fencers) {
  daemons.clear();
  fencers.clear();
  for (std::size_t host = 0; host < pool.host_count(); ++host) {
    for (const pid_t pid : pool.host_pids(host)) {
      const std::vector<std::string> arguments = process_arguments(pid);
      if (std::find(arguments.begin(), arguments.end(), "daemon") != arguments.end()) {
        daemons.push_back(pid);
      } else if (std::find(arguments.begin(), arguments.end(), "fencer") != arguments.end()) {
        fencers.push_back(pid);
      }
    }
  }
  if (daemons.size() != pool.host_count() || fencers.size() != pool.host_count()) {
    throw std::runtime_error(fmt::format("found {} daemons and {} fencers for {} hosts",
                                         daemons.size(), fencers.size(), pool.host_count()));
  }
}

UsageRow summarize_usage(const UsageBenchOptions& options, std::size_t vms, const char* process,
                         const std::vector<ProcessUsage>& usage, double window) {
  UsageRow row;
  row.hosts = options.hosts;
  row.vms_running = vms;
  row.timeout_seconds = options.timeout_seconds;
  row.process = process;
  row.processes = usage.size();
  row.window_seconds = window;
  double cpu_sum = 0;
  double rss_weighted = 0;
  std::size_t rss_samples = 0;
  for (const ProcessUsage& u : usage) {
    if (u.exited)
      throw std::runtime_error(fmt::format("{} {} exited while sampled", process, u.pid));
    cpu_sum += u.cpu_percent;
    row.cpu_max_percent = std::max(row.cpu_max_percent, u.cpu_percent);
    rss_weighted += u.rss_mean_mib * static_cast<double>(u.rss_samples);
    rss_samples += u.rss_samples;
    row.rss_max_mib = std::max(row.rss_max_mib, u.rss_max_mib);
  }
  row.cpu_mean_percent = usage.empty() ? 0 : cpu_sum / static_cast<double>(usage.size());
  row.rss_mean_mib = rss_samples == 0 ? 0 : rss_weighted / static_cast<double>(rss_samples);
  return row;
}

}  // namespace

std::vector<UsageRow> run_usage_pool(const UsageBenchOptions& options) {
  std::vector<UsageRow> rows;
  const std::size_t max_vms =
      options.vms_running.empty()
          ? 0
          : *std::max_element(options.vms_running.begin(), options.vms_running.end());
  std::optional<PoolDriver> driver;
  std::filesystem::path work_dir;
  std::size_t window = 0;
  try {
    // VM disks are small: a window's writing fills a few MiB at most.
    driver.emplace(namespace_pool_options(options.hosts, max_vms, options.timeout_seconds, 16,
                                          options.kept_work_dir),
                   options.progress);
    work_dir = driver->pool().plan().work_dir;
    driver->say(fmt::format("daemon usage: creating a pool of {} hosts, T = {} s", options.hosts,
                            options.timeout_seconds));
    driver->create_and_start();
    driver->enable_ha();
    std::size_t started = 0;
    for (; window < options.vms_running.size(); ++window) {
      const std::size_t vms = options.vms_running[window];
      const std::size_t master = driver->wait_agreed(
          std::chrono::seconds(60 + 6 * options.timeout_seconds), "every host live, one master");
      for (; started < vms; ++started) {
        driver->xe_retrying(master,
                            {"vm-start", "uuid=" + driver->vm_uuids()[started],
                             "on=" + driver->host_name(started % driver->host_count())},
                            std::chrono::seconds(options.timeout_seconds + 10));
      }
      if (vms > 0) {
        LocalPool::wait_until(
            [&] {
              const auto seen = driver->snapshot(master);
              if (!seen) return false;
              std::size_t running = 0;
              for (const auto& entry : seen->vms) running += entry.second.power_state == "Running";
              return running >= vms;
            },
            std::chrono::seconds(60), fmt::format("{} VMs to run", vms),
            std::chrono::milliseconds(250));
      }
      // Sessions are closed so no login lingers into the window.
      for (std::size_t host = 0; host < driver->host_count(); ++host) driver->forget_session(host);
      sleep_seconds(options.settle_seconds);
      std::vector<pid_t> daemons;
      std::vector<pid_t> fencers;
      find_processes(driver->pool(), daemons, fencers);
      std::vector<pid_t> all = daemons;
      all.insert(all.end(), fencers.begin(), fencers.end());
      driver->say(fmt::format("  sampling {} daemons and {} fencers ({} VMs running) for {:.0f} s",
                              daemons.size(), fencers.size(), vms, options.window_seconds));
      const auto started_at = std::chrono::steady_clock::now();
      const std::vector<ProcessUsage> usage = sample_processes(
          all, std::chrono::milliseconds(static_cast<long>(options.window_seconds * 1000)),
          std::chrono::seconds(1), &localpool::interrupt_requested);
      localpool::throw_if_interrupted();
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
      const std::vector<ProcessUsage> daemon_usage(
          usage.begin(), usage.begin() + static_cast<long>(daemons.size()));
      const std::vector<ProcessUsage> fencer_usage(
          usage.begin() + static_cast<long>(daemons.size()), usage.end());
      rows.push_back(summarize_usage(options, vms, "daemon", daemon_usage, elapsed));
      rows.push_back(summarize_usage(options, vms, "fencer", fencer_usage, elapsed));
      driver->say(
          fmt::format("  daemons: CPU {:.2f} % mean, {:.2f} % max; RSS {:.1f} MiB mean, "
                      "{:.1f} MiB max",
                      rows[rows.size() - 2].cpu_mean_percent, rows[rows.size() - 2].cpu_max_percent,
                      rows[rows.size() - 2].rss_mean_mib, rows[rows.size() - 2].rss_max_mib));
    }
  } catch (const localpool::Interrupted&) {
    throw;
  } catch (const std::exception& error) {
    if (options.progress != nullptr) *options.progress << "  failed: " << error.what() << "\n";
    for (; window < options.vms_running.size(); ++window) {
      UsageRow row;
      row.hosts = options.hosts;
      row.vms_running = options.vms_running[window];
      row.timeout_seconds = options.timeout_seconds;
      row.error = one_line_error(error.what(), work_dir);
      rows.push_back(row);
    }
  }
  driver.reset();  // tears the pool down
  return rows;
}

}  // namespace poolha::benchpool

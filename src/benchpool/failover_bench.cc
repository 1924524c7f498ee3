// Failover trials on one reused namespace pool (failover_bench.h).
#include "benchpool/failover_bench.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "benchpool/ack_log_tail.h"
#include "benchpool/pool_driver.h"
#include "benchpool/run_errors.h"
#include "localpool/interrupt.h"
#include "oracle/disk_writer.h"
#include "oracle/ids.h"

namespace poolha::benchpool {
namespace {

using localpool::LocalPool;
using localpool::PoolSnapshot;
using SteadyClock = std::chrono::steady_clock;

double seconds_between(std::uint64_t from_ns, std::uint64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / 1e9;
}

class FailoverTrials {
 public:
  FailoverTrials(const FailoverBenchOptions& options, FailoverRow& row)
      : options_(options),
        row_(row),
        driver_(
            namespace_pool_options(options.hosts, options.vms, options.timeout_seconds,
                                   failover_vm_disk_mib(options.timeout_seconds, options.trials),
                                   options.kept_work_dir),
            options.progress),
        jitter_(std::random_device{}()) {
    for (std::size_t i = 0; i < driver_.host_count(); ++i) {
      tails_.emplace_back(driver_.pool().host(i).ack_log);
    }
  }

  LocalPool& pool() { return driver_.pool(); }

  void run() {
    const auto setup_start = SteadyClock::now();
    driver_.say(fmt::format("{} crash, T = {} s: creating a pool of {} hosts",
                            crash_name(options_.crash), options_.timeout_seconds,
                            driver_.host_count()));
    driver_.create_and_start();
    for (const std::string& uuid : driver_.vm_uuids()) {
      const std::optional<std::string> id = oracle::parse_vm_id(uuid);
      if (!id) throw std::runtime_error("'" + uuid + "' is not a VM uuid");
      vm_ids_.push_back(*id);
    }
    driver_.enable_ha();
    row_.pool_setup_seconds =
        std::chrono::duration<double>(SteadyClock::now() - setup_start).count();
    for (std::size_t trial = 1; trial <= options_.trials; ++trial) run_trial(trial);
  }

  // Every host loses power, so the disks are final, and the oracle judges
  // every VM disk against every ack log of the row.
  std::string judge() {
    for (std::size_t i = 0; i < driver_.host_count(); ++i) {
      if (pool().host_running(i)) pool().kill_host(i);
    }
    const oracle::Verdict verdict = pool().judge_disks();
    std::size_t boots = 0;
    std::size_t acked = 0;
    for (const oracle::VmSummary& vm : verdict.vms) {
      boots += vm.boots;
      acked += vm.acked;
    }
    if (verdict.clean()) {
      return fmt::format("clean ({} VMs, {} boots, {} acknowledged records)", verdict.vms.size(),
                         boots, acked);
    }
    return fmt::format("**violations**: {} overlapping boots, {} lost records, {} corruptions",
                       verdict.overlaps.size(), verdict.lost.size(), verdict.corruptions.size());
  }

 private:
  // Reads every host's new acks; for each VM in `since` (VM id to a
  // CLOCK_MONOTONIC time), notes in `first` the earliest ack at or after
  // that time on one of `hosts`.
  void collect_acks(const std::vector<std::size_t>& hosts,
                    const std::map<std::string, std::uint64_t>& since,
                    std::map<std::string, std::uint64_t>& first) {
    for (std::size_t host = 0; host < tails_.size(); ++host) {
      const std::vector<oracle::AckEntry> entries = tails_[host].read_new();
      if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) continue;
      for (const oracle::AckEntry& entry : entries) {
        const auto threshold = since.find(entry.vm);
        if (threshold == since.end() || entry.time_ns < threshold->second) continue;
        const auto known = first.find(entry.vm);
        if (known == first.end() || entry.time_ns < known->second) first[entry.vm] = entry.time_ns;
      }
    }
  }

  // Shuts down the VMs running elsewhere and starts every VM not on
  // `victim` there; each start's first ack gives a boot sample.
  void place_vms_on(std::size_t victim, std::size_t master) {
    const std::string& victim_name = driver_.host_name(victim);
    const std::optional<PoolSnapshot> seen = driver_.snapshot(master);
    if (!seen) throw std::runtime_error("the master does not answer");
    std::vector<std::size_t> to_start;
    std::vector<std::size_t> to_stop;
    for (std::size_t i = 0; i < vm_ids_.size(); ++i) {
      const auto vm = seen->vms.find(driver_.vm_uuids()[i]);
      if (vm == seen->vms.end()) throw std::runtime_error("the master lost VM " + vm_ids_[i]);
      if (vm->second.power_state == "Running" && vm->second.resident_on == victim_name) continue;
      if (vm->second.power_state != "Halted") to_stop.push_back(i);
      to_start.push_back(i);
    }
    const auto patience = std::chrono::seconds(options_.timeout_seconds + 10);
    for (const std::size_t i : to_stop) {
      driver_.xe_retrying(master, {"vm-shutdown", "uuid=" + driver_.vm_uuids()[i], "--force"},
                          patience);
    }
    if (!to_stop.empty()) {
      LocalPool::wait_until(
          [&] {
            const std::optional<PoolSnapshot> now = driver_.snapshot(master);
            return now && std::all_of(to_stop.begin(), to_stop.end(), [&](std::size_t i) {
                     return now->vms.at(driver_.vm_uuids()[i]).power_state == "Halted";
                   });
          },
          std::chrono::seconds(30), "the VMs to halt", std::chrono::milliseconds(100));
    }
    std::map<std::string, std::uint64_t> since;
    for (const std::size_t i : to_start) {
      since[vm_ids_[i]] = oracle::monotonic_ns();
      driver_.xe_retrying(
          master, {"vm-start", "uuid=" + driver_.vm_uuids()[i], "on=" + victim_name}, patience);
    }
    std::map<std::string, std::uint64_t> first;
    LocalPool::wait_until(
        [&] {
          collect_acks({victim}, since, first);
          if (first.size() < since.size()) return false;
          const std::optional<PoolSnapshot> now = driver_.snapshot(master);
          return now && localpool::protected_vms_run_on(*now, {victim_name});
        },
        std::chrono::seconds(60), "the VMs to run on " + victim_name,
        std::chrono::milliseconds(50));
    for (const auto& [vm, time_ns] : first) {
      row_.boot_seconds.push_back(seconds_between(since.at(vm), time_ns));
    }
  }

  void run_trial(std::size_t trial) {
    const int t = options_.timeout_seconds;
    const std::size_t master =
        driver_.wait_agreed(std::chrono::seconds(10 * t + 60), "every host live, one master");
    std::size_t victim = master;
    if (options_.crash == CrashKind::kSlave) {
      victim = master == 0 ? 1 : 0;
    }
    place_vms_on(victim, master);
    // A random pause of 1 to 2 s before the crash, so that the trials
    // sample the crash at every phase of the heartbeat and tick cycle.
    std::uniform_int_distribution<int> pause_ms(1000, 2000);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(jitter_)));

    std::vector<std::size_t> survivors;
    std::vector<std::string> survivor_names;
    for (std::size_t i = 0; i < driver_.host_count(); ++i) {
      if (i == victim) continue;
      survivors.push_back(i);
      survivor_names.push_back(driver_.host_name(i));
    }
    for (AckLogTail& tail : tails_) tail.skip_to_end();
    const std::uint64_t crash_ns = oracle::monotonic_ns();
    pool().kill_host(victim);
    driver_.forget_session(victim);

    std::map<std::string, std::uint64_t> since;
    for (const std::string& id : vm_ids_) since[id] = crash_ns;
    std::map<std::string, std::uint64_t> first;
    std::optional<double> api_seconds;
    std::size_t observer = 0;
    auto next_api_poll = SteadyClock::now();
    LocalPool::wait_until(
        [&] {
          driver_.require_running(survivors);
          collect_acks(survivors, since, first);
          if (!api_seconds && SteadyClock::now() >= next_api_poll) {
            next_api_poll = SteadyClock::now() + std::chrono::milliseconds(250);
            const std::size_t host = survivors[observer++ % survivors.size()];
            const std::optional<PoolSnapshot> seen = driver_.snapshot(host);
            if (seen && localpool::protected_vms_run_on(*seen, survivor_names)) {
              api_seconds = seconds_between(crash_ns, oracle::monotonic_ns());
            }
          }
          return api_seconds && first.size() == vm_ids_.size();
        },
        std::chrono::seconds(10 * t + 90),
        "the VMs of " + driver_.host_name(victim) + " to run on a survivor",
        std::chrono::milliseconds(50));
    std::uint64_t last_ns = crash_ns;
    for (const auto& entry : first) last_ns = std::max(last_ns, entry.second);
    row_.failover_seconds.push_back(seconds_between(crash_ns, last_ns));
    row_.api_seconds.push_back(*api_seconds);
    driver_.say(fmt::format(
        "  {} crash, T = {} s, trial {}/{}: {} lost power; VMs acknowledging "
        "on survivors after {:.2f} s ({:.2f} T), API after {:.2f} s",
        crash_name(options_.crash), t, trial, options_.trials, driver_.host_name(victim),
        row_.failover_seconds.back(), row_.failover_seconds.back() / t, *api_seconds));

    // The victim boots again and must rejoin before the next trial (or
    // before the oracle's power-off at the end).
    const auto reboot = SteadyClock::now();
    pool().start_host(victim);
    pool().wait_for_api(victim, std::chrono::seconds(60));
    driver_.wait_agreed(std::chrono::seconds(10 * t + 60),
                        driver_.host_name(victim) + " to rejoin the pool");
    row_.reset_seconds.push_back(
        std::chrono::duration<double>(SteadyClock::now() - reboot).count());
  }

  const FailoverBenchOptions& options_;
  FailoverRow& row_;
  PoolDriver driver_;
  std::vector<AckLogTail> tails_;
  std::vector<std::string> vm_ids_;
  std::mt19937 jitter_;
};

}  // namespace

std::uint64_t failover_vm_disk_mib(int timeout_seconds, std::size_t trials) {
  // A trial keeps the VMs writing for about failover + rejoin + placement,
  // well under 3 T + 30 s; 10 records of 512 bytes a second, twice over.
  const double seconds = static_cast<double>(trials) * (3.0 * timeout_seconds + 30.0);
  const double mib = 2.0 * seconds * 10 * 512 / (1024.0 * 1024.0);
  return std::max<std::uint64_t>(16, static_cast<std::uint64_t>(mib) + 1);
}

FailoverRow run_failover_row(const FailoverBenchOptions& options) {
  FailoverRow row;
  row.crash = options.crash;
  row.timeout_seconds = options.timeout_seconds;
  row.hosts = options.hosts;
  row.vms = options.vms;
  row.trials_asked = options.trials;
  const auto start = SteadyClock::now();
  std::optional<FailoverTrials> trials;
  std::filesystem::path work_dir;
  try {
    trials.emplace(options, row);
    work_dir = trials->pool().plan().work_dir;
    try {
      trials->run();
    } catch (const localpool::Interrupted&) {
      throw;
    } catch (const std::exception& error) {
      row.error = one_line_error(error.what(), work_dir);
      if (options.progress != nullptr) *options.progress << "  failed: " << error.what() << "\n";
    }
    row.oracle = trials->judge();
  } catch (const localpool::Interrupted&) {
    throw;
  } catch (const std::exception& error) {
    if (row.error.empty()) row.error = one_line_error(error.what(), work_dir);
    if (options.progress != nullptr) *options.progress << "  failed: " << error.what() << "\n";
  }
  trials.reset();  // tears the pool down
  row.wall_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return row;
}

}  // namespace poolha::benchpool

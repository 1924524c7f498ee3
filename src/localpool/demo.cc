#include "localpool/demo.h"

#include <chrono>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "localpool/interrupt.h"
#include "localpool/local_pool.h"
#include "localpool/pool_snapshot.h"

namespace poolha::localpool {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Reads snapshots from whichever of `hosts` answers, moving on to the next
// one when a host stops answering (it may be the one that died, or be busy
// electing a master), and prints each change with the time since `start`.
class Timeline {
 public:
  Timeline(LocalPool& pool, std::vector<std::size_t> hosts, std::ostream& out)
      : pool_(pool), hosts_(std::move(hosts)), out_(out) {}

  void restart_clock() { start_ = Clock::now(); }
  double elapsed() const { return seconds_since(start_); }

  // One poll: returns the snapshot when some host answered.
  std::optional<PoolSnapshot> poll() {
    for (std::size_t attempt = 0; attempt < hosts_.size(); ++attempt) {
      const std::size_t host = hosts_[current_];
      try {
        if (!session_) session_ = pool_.api(host, std::chrono::seconds(5));
        PoolSnapshot snapshot = read_snapshot(session_->client());
        note_error("");
        if (last_) {
          for (const std::string& line : describe_changes(*last_, snapshot)) print(line);
        }
        last_ = snapshot;
        return snapshot;
      } catch (const std::exception& error) {
        note_error(pool_.host(host).name + " does not answer: " + error.what());
        session_.reset();
        current_ = (current_ + 1) % hosts_.size();
      }
    }
    return std::nullopt;
  }

  void print(const std::string& line) {
    out_ << fmt::format("  [{:6.1f} s] {}", elapsed(), line) << std::endl;
  }

 private:
  // An error is printed once, not on every poll.
  void note_error(const std::string& error) {
    if (!error.empty() && error != last_error_) print(error);
    last_error_ = error;
  }

  LocalPool& pool_;
  std::vector<std::size_t> hosts_;
  std::ostream& out_;
  std::size_t current_ = 0;
  std::unique_ptr<ApiSession> session_;
  std::optional<PoolSnapshot> last_;
  std::string last_error_;
  Clock::time_point start_ = Clock::now();
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find_first_of(",\n", begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

void require_running(LocalPool& pool, const std::vector<std::size_t>& hosts) {
  for (const std::size_t host : hosts) {
    if (const std::string failure = pool.host_failure(host); !failure.empty()) {
      throw std::runtime_error(failure);
    }
  }
}

void run_demo_steps(const DemoOptions& options, LocalPool& pool, std::ostream& out) {
  const int t = options.ha_timeout_seconds;
  const std::size_t victim = 1;  // host-2: a slave when host-1 is master
  std::vector<std::size_t> survivors;
  std::vector<std::string> survivor_names;
  std::vector<std::size_t> all_hosts;
  for (std::size_t i = 0; i < pool.host_count(); ++i) {
    all_hosts.push_back(i);
    if (i == victim) continue;
    survivors.push_back(i);
    survivor_names.push_back(pool.host(i).name);
  }
  const std::string victim_name = pool.host(victim).name;

  out << "== creating a pool of " << pool.host_count() << " hosts, T = " << t << " s" << std::endl;
  pool.create();
  out << "== starting the hosts" << std::endl;
  for (const std::size_t host : all_hosts) pool.start_host(host);
  for (const std::size_t host : all_hosts) pool.wait_for_api(host, std::chrono::seconds(60));

  out << "== enabling HA" << std::endl;
  const std::string sr = pool.xe_checked(0, {"sr-list", "name-label=MGMT-HA", "--minimal"});
  if (sr.empty()) throw std::runtime_error("xe sr-list name-label=MGMT-HA found no SR");
  out << "  xe sr-list name-label=MGMT-HA --minimal -> " << sr << std::endl;
  pool.xe_checked(
      0, {"pool-ha-enable", "heartbeat-sr-uuids=" + sr, "ha-config:timeout=" + std::to_string(t)});
  out << "  xe pool-ha-enable heartbeat-sr-uuids=" << sr << " ha-config:timeout=" << t << std::endl;

  out << "== protecting the VMs and starting them on " << victim_name << std::endl;
  const std::vector<std::string> vms = lines_of(pool.xe_checked(0, {"vm-list", "--minimal"}));
  if (vms.empty()) throw std::runtime_error("the pool has no VMs");
  for (const std::string& vm : vms) {
    pool.xe_checked(0, {"vm-param-set", "uuid=" + vm, "ha-restart-priority=restart"});
    pool.xe_checked(0, {"vm-start", "uuid=" + vm, "on=" + victim_name});
    out << "  xe vm-param-set uuid=" << vm
        << " ha-restart-priority=restart; xe vm-start uuid=" << vm << " on=" << victim_name
        << std::endl;
  }
  Timeline timeline(pool, survivors, out);
  const auto vm_start_timeout = std::chrono::seconds(options.vm_kind == VmKind::kQemu ? 120 : 30);
  LocalPool::wait_until(
      [&] {
        require_running(pool, all_hosts);
        const auto snapshot = timeline.poll();
        return snapshot && protected_vms_run_on(*snapshot, {victim_name});
      },
      vm_start_timeout, "the VMs to run on " + victim_name);
  if (const auto snapshot = timeline.poll()) {
    out << "  master: " << (snapshot->master.empty() ? "(none)" : snapshot->master) << "; "
        << vms.size() << " protected VM(s) running on " << victim_name << std::endl;
  }

  out << "== power loss of " << victim_name << "; what the survivors report:" << std::endl;
  pool.kill_host(victim);
  timeline.restart_clock();
  const auto failover_timeout = std::chrono::seconds(10 * t + 60) + vm_start_timeout;
  LocalPool::wait_until(
      [&] {
        require_running(pool, survivors);
        const auto snapshot = timeline.poll();
        return snapshot && protected_vms_run_on(*snapshot, survivor_names);
      },
      failover_timeout, "the protected VMs to run on the survivors");
  const double failover = timeline.elapsed();
  out << fmt::format(
             "== failover: every protected VM runs again after {:.1f} s = {:.2f} x T (T = {} s)",
             failover, failover / t, t)
      << std::endl;

  out << "== booting " << victim_name << " again" << std::endl;
  pool.start_host(victim);
  timeline.restart_clock();
  LocalPool::wait_until(
      [&] {
        require_running(pool, all_hosts);
        const auto snapshot = timeline.poll();
        if (!snapshot) return false;
        for (const auto& entry : snapshot->hosts) {
          if (entry.second.name == victim_name) return entry.second.live;
        }
        return false;
      },
      std::chrono::seconds(10 * t + 60), victim_name + " to be live again");
  out << fmt::format("== {} rejoined the pool after {:.1f} s", victim_name, timeline.elapsed())
      << std::endl;
}

}  // namespace

int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  if (options.hosts < 2 || options.hosts > 16) {
    err << "poolha demo: --hosts must be 2..16 (one host must survive the other's failure)\n";
    return 2;
  }
  if (options.vms < 1 || options.vms > 32) {
    err << "poolha demo: --vms must be 1..32\n";
    return 2;
  }
  if (options.ha_timeout_seconds < 2 || options.ha_timeout_seconds > 3600) {
    err << "poolha demo: --timeout must be 2..3600 seconds\n";
    return 2;
  }
  InterruptHandler interrupt_handler;
  LocalPoolOptions pool_options;
  pool_options.hosts = options.hosts;
  pool_options.ha_timeout_seconds = options.ha_timeout_seconds;
  pool_options.vm_kind = options.vm_kind;
  pool_options.isolation = options.isolation;
  pool_options.keep_work_dir = options.keep;
  pool_options.poolha_binary = options.poolha_binary;
  pool_options.progress = &out;
  for (std::size_t i = 0; i < options.vms; ++i) {
    VmSpec vm;
    vm.name = "vm-" + std::to_string(i + 1);
    vm.memory_mib = options.vm_kind == VmKind::kQemu ? 128 : 64;
    pool_options.vms.push_back(vm);
  }
  std::unique_ptr<LocalPool> pool;
  int status = 0;
  try {
    pool = std::make_unique<LocalPool>(pool_options);
    run_demo_steps(options, *pool, out);
  } catch (const Interrupted&) {
    err << "poolha demo: interrupted; tearing the pool down\n";
    status = 130;
  } catch (const std::exception& error) {
    err << "poolha demo: " << error.what() << "\n";
    if (pool) {
      for (const HostPlan& host : pool->plan().hosts) {
        err << "end of " << host.name << "'s daemon log:\n" << log_tail(host.daemon_log, 8);
      }
      if (!options.keep) err << "(run with --keep to keep every configuration and log)\n";
    }
    status = 1;
  }
  if (pool) {
    out << "== tearing down" << std::endl;
    pool->teardown();
  }
  if (status == 0) out << "== demo finished" << std::endl;
  return status;
}

}  // namespace poolha::localpool

#include "chaos/chaos_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "chaos/fault_injector.h"
#include "chaos/fence_watch.h"
#include "chaos/pool_observer.h"
#include "chaos/pool_views.h"
#include "chaos/wall_clock_jump.h"
#include "localpool/interrupt.h"
#include "localpool/local_pool.h"
#include "oracle/verdict_report.h"

namespace poolha::chaos {
namespace {

using Clock = std::chrono::steady_clock;
using localpool::LocalPool;

// A fenced (or crashed) host comes back after this pause, as a machine
// that reboots; the engine's rejoin rule, not this pause, decides when it
// may take part again.
constexpr auto kRebootDelay = std::chrono::seconds(3);
// Fault steps (a flapping link) run to within a tick of their time; the
// hosts are asked about the pool once per poll interval, which is enough
// to time a failover to about a second and keeps the load on the daemons
// low on a busy machine.
constexpr auto kTickInterval = std::chrono::milliseconds(100);
constexpr auto kPollInterval = std::chrono::seconds(1);
constexpr auto kStopGrace = std::chrono::seconds(30);

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// host_failure() names the process and how it ended, then the end of its
// log; the first part is what a timeline line needs.
std::string failure_summary(const std::string& failure) {
  const std::size_t end = failure.find("; end of");
  std::string text = failure.substr(0, end);
  return text.empty() ? "its processes are gone" : text;
}

std::string joined(const std::vector<std::string>& items, std::size_t at_most) {
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < at_most; ++i) {
    text += (text.empty() ? "" : "; ") + items[i];
  }
  if (items.size() > at_most) text += fmt::format("; and {} more", items.size() - at_most);
  return text;
}

std::string vm_name(std::size_t index) {
  return "vm-" + std::to_string(index + 1);
}

class ChaosRun {
 public:
  ChaosRun(const ChaosOptions& options, std::vector<ScheduledFault> schedule, LocalPool& pool,
           WallClockJumps& clock, Clock::time_point start, std::ostream& out)
      : options_(options),
        schedule_(std::move(schedule)),
        pool_(pool),
        out_(out),
        start_(start),
        settle_timeout_(
            std::chrono::seconds(options.settle_timeout_seconds > 0
                                     ? options.settle_timeout_seconds
                                     : default_settle_timeout_seconds(options.ha_timeout_seconds))),
        injector_(pool, clock),
        observer_(pool),
        fences_(state_dirs(pool)),
        reboot_at_(pool.host_count()) {
    for (std::size_t i = 0; i < pool.host_count(); ++i) names_.push_back(pool.host(i).name);
  }

  void setup() {
    print("== creating the pool in " + pool_.plan().work_dir.string());
    pool_.create();
    for (std::size_t i = 0; i < pool_.host_count(); ++i) pool_.start_host(i);
    for (std::size_t i = 0; i < pool_.host_count(); ++i) {
      pool_.wait_for_api(i, std::chrono::seconds(60));
    }
    const std::string sr = pool_.xe_checked(0, {"sr-list", "name-label=MGMT-HA", "--minimal"});
    const std::string t = std::to_string(options_.ha_timeout_seconds);
    pool_.xe_checked(0, {"pool-ha-enable", "heartbeat-sr-uuids=" + sr, "ha-config:timeout=" + t});
    print("== xe pool-ha-enable heartbeat-sr-uuids=" + sr + " ha-config:timeout=" + t);
    if (!wait_for([this] { return settled(false); }, settle_timeout_)) {
      throw std::runtime_error("HA did not form a pool of every host: " + joined(problems_, 8));
    }
    const std::size_t vms = pool_.host_count() * options_.vms_per_host;
    const std::size_t master = master_index();
    print(fmt::format("== starting {} protected VMs, {} per host (through {})", vms,
                      options_.vms_per_host, names_[master]));
    for (std::size_t i = 0; i < vms; ++i) {
      const std::string uuid =
          pool_.xe_checked(master, {"vm-list", "name-label=" + vm_name(i), "--minimal"});
      pool_.xe_checked(master, {"vm-start", "uuid=" + uuid, "on=" + names_[i % names_.size()]});
    }
    if (!wait_for([this] { return settled(true); }, settle_timeout_)) {
      throw std::runtime_error("the protected VMs did not all start: " + joined(problems_, 8));
    }
    print("== the pool runs; injecting faults");
  }

  void inject_all() {
    for (const ScheduledFault& fault : schedule_) {
      wait_for([] { return false; }, fault.gap);
      fault_start_ = Clock::now();
      print(fmt::format("#{}/{} {}", fault.number, schedule_.size(), describe_fault(fault)));
      try {
        for (const std::string& line : injector_.inject(fault, *fault_start_)) note(line);
      } catch (const localpool::Interrupted&) {
        throw;
      } catch (const std::exception& error) {
        note(std::string("FAILED to inject: ") + error.what());
        ++harness_errors_;
        injector_.undo_now();
      }
      // The fault's own steps end it; the bound is only a guard.
      wait_for([this] { return !injector_.active(); }, fault.duration + std::chrono::minutes(1));
      injector_.undo_now();
      const Clock::time_point ended = Clock::now();
      fault_end_ = ended;
      if (wait_for([this] { return settled(true); }, settle_timeout_)) {
        print(fmt::format("#{} settled {:.1f} s after the fault ended ({:.1f} s after it began)",
                          fault.number, seconds_between(ended, Clock::now()),
                          seconds_between(*fault_start_, Clock::now())));
      } else {
        print(fmt::format("#{} NOT settled {:.0f} s after the fault ended: {}", fault.number,
                          seconds_between(ended, Clock::now()), joined(problems_, 8)));
        unsettled_.push_back(fault.number);
      }
    }
  }

  // Stops every host, judges the disks, prints the verdict and the
  // summary; returns the exit status.
  int finish() {
    injector_.undo_now();
    const std::size_t fences = fences_.fences();
    print("== stopping every host");
    for (std::size_t i = 0; i < pool_.host_count(); ++i) {
      const bool was_running = pool_.host_running(i);
      const bool clean = pool_.stop_host(i, kStopGrace);
      if (was_running) note(names_[i] + (clean ? " stopped" : " stopped (had to be killed)"));
    }
    // A writer whose daemon was killed may outlive it; the disks are final
    // only once every writer is gone.
    for (std::size_t i = 0; i < pool_.host_count(); ++i) {
      const std::size_t killed = LocalPool::kill_registered_vms(pool_.host(i).vm_registry);
      if (killed > 0)
        note(fmt::format("{}: {} VM process group(s) left over, killed", names_[i], killed));
    }
    // Not counted with the faults' fences: the stop is not a fault.
    for (const FenceEvent& event : fences_.poll()) {
      note(describe_fence(event.record) + " (during the final stop)");
    }
    print("== the disk oracle's verdict");
    const oracle::Verdict verdict = pool_.judge_disks();
    out_ << oracle::format_verdict(verdict) << std::flush;
    if (!unsettled_.empty()) {
      std::string which;
      for (const std::size_t number : unsettled_) which += fmt::format(" #{}", number);
      out_ << fmt::format("settle timeouts: {} (after fault{})\n", unsettled_.size(), which);
    }
    if (harness_errors_ > 0) {
      out_ << fmt::format("harness errors: {} (see FAILED lines)\n", harness_errors_);
    }
    out_ << fmt::format(
                "chaos: {} hosts, {} faults, seed {}: {} double-runs, {} lost records, {} fences, "
                "wall {:.0f} s",
                options_.hosts, schedule_.size(), options_.seed, verdict.overlaps.size(),
                verdict.lost.size(), fences, seconds_between(start_, Clock::now()))
         << std::endl;
    return verdict.clean() ? 0 : 1;
  }

  void undo_now() { injector_.undo_now(); }

 private:
  static std::vector<std::filesystem::path> state_dirs(const LocalPool& pool) {
    std::vector<std::filesystem::path> dirs;
    for (std::size_t i = 0; i < pool.host_count(); ++i) dirs.push_back(pool.host(i).state_dir);
    return dirs;
  }

  void print(const std::string& line) {
    out_ << fmt::format("[{:7.1f} s] {}", seconds_between(start_, Clock::now()), line) << std::endl;
  }
  void note(const std::string& line) { print("    " + line); }

  // Ticks until `done` holds (true) or `timeout` passed (false).
  bool wait_for(const std::function<bool()>& done, Clock::duration timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
      tick();
      if (done()) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(kTickInterval);
    }
  }

  void tick() {
    localpool::throw_if_interrupted();
    const Clock::time_point now = Clock::now();
    for (const std::string& line : injector_.run_due(now)) note(line);
    for (const FenceEvent& event : fences_.poll()) {
      note(describe_fence(event.record));
    }
    keep_hosts_up(now);
    // Polls run in the background, so a slow host never delays a fault's
    // steps (a hang must end on time to stay below the watchdog timeout).
    if (std::optional<std::vector<HostAnswer>> answers = observer_.collect()) {
      answers_ = std::move(*answers);
      last_poll_ = poll_started_;
      std::optional<double> since_fault;
      if (fault_start_) since_fault = seconds_between(*fault_start_, Clock::now());
      for (const std::string& line : observer_.changes(answers_, since_fault)) note(line);
    }
    if (observer_.polling() || now < poll_started_ + kPollInterval) return;
    std::vector<bool> ask(pool_.host_count());
    for (std::size_t i = 0; i < ask.size(); ++i) {
      ask[i] = pool_.host_running(i) && !injector_.cuts_off(i);
    }
    poll_started_ = now;
    observer_.start_poll(ask);
  }

  // Boots again, after kRebootDelay, every host whose processes are gone
  // without a fault holding it powered off: it fenced, or crashed.
  void keep_hosts_up(Clock::time_point now) {
    for (std::size_t i = 0; i < pool_.host_count(); ++i) {
      if (injector_.holds_down(i)) {
        reboot_at_[i].reset();
        continue;
      }
      if (reboot_at_[i]) {
        if (now < *reboot_at_[i]) continue;
        try {
          pool_.start_host(i);
          note(names_[i] + " boots again");
          reboot_at_[i].reset();
        } catch (const localpool::Interrupted&) {
          throw;
        } catch (const std::exception& error) {
          note("FAILED to boot " + names_[i] + ": " + error.what());
          ++harness_errors_;
          reboot_at_[i] = now + std::chrono::seconds(5);
        }
        continue;
      }
      if (!pool_.host_running(i)) {
        note(fmt::format("{} is down ({}); it boots again in {} s", names_[i],
                         failure_summary(pool_.host_failure(i)), kRebootDelay.count()));
        reboot_at_[i] = now + kRebootDelay;
      }
    }
  }

  // Whether the pool has settled since the last fault ended; the reasons
  // why not are kept in problems_.
  bool settled(bool check_vms) {
    problems_.clear();
    if (injector_.active()) problems_.push_back("the fault is still in force");
    for (std::size_t i = 0; i < pool_.host_count(); ++i) {
      if (reboot_at_[i] || !pool_.host_running(i)) problems_.push_back(names_[i] + " is down");
    }
    if (!problems_.empty()) return false;
    // Only what was asked after the fault ended counts.
    if (last_poll_ <= fault_end_) {
      problems_.push_back("not asked since the fault ended");
      return false;
    }
    problems_ = settle_problems(names_, answers_, check_vms);
    return problems_.empty();
  }

  std::size_t master_index() const {
    if (const HostAnswer* reference = reference_answer(answers_)) {
      for (std::size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == reference->snapshot->master) return i;
      }
    }
    return 0;
  }

  const ChaosOptions& options_;
  std::vector<ScheduledFault> schedule_;
  LocalPool& pool_;
  std::ostream& out_;
  Clock::time_point start_;
  Clock::duration settle_timeout_;
  FaultInjector injector_;
  PoolObserver observer_;
  FenceWatch fences_;
  std::vector<std::string> names_;
  std::vector<std::optional<Clock::time_point>> reboot_at_;
  std::vector<HostAnswer> answers_;
  Clock::time_point last_poll_{};     // when the poll answers_ came from started
  Clock::time_point poll_started_{};  // of the poll under way, or of the last one
  Clock::time_point fault_end_{};
  std::optional<Clock::time_point> fault_start_;
  std::vector<std::string> problems_;
  std::vector<std::size_t> unsettled_;
  std::size_t harness_errors_ = 0;
};

localpool::LocalPoolOptions pool_options(const ChaosOptions& options) {
  localpool::LocalPoolOptions pool;
  pool.hosts = options.hosts;
  pool.ha_timeout_seconds = options.ha_timeout_seconds;
  pool.vm_kind = localpool::VmKind::kDiskWriter;
  pool.isolation = localpool::Isolation::kNamespaces;
  pool.storage = localpool::Storage::kNbdNamespace;
  pool.vm_disk_mib = vm_disk_mib_for(options.faults, options.ha_timeout_seconds);
  pool.poolha_binary = options.poolha_binary;
  pool.keep_work_dir = options.keep;
  for (std::size_t i = 0; i < options.hosts * options.vms_per_host; ++i) {
    pool.vms.push_back(localpool::VmSpec{vm_name(i), 64, "restart", std::nullopt});
  }
  return pool;
}

void print_schedule(const std::vector<ScheduledFault>& schedule, std::ostream& out) {
  for (const ScheduledFault& fault : schedule) {
    out << fmt::format("#{} after a {:.1f} s pause: {}", fault.number,
                       static_cast<double>(fault.gap.count()) / 1000.0, describe_fault(fault))
        << "\n";
  }
}

}  // namespace

int run_chaos(const ChaosOptions& options, std::ostream& out, std::ostream& err) {
  if (const std::string why = validate_chaos_options(options); !why.empty()) {
    err << "poolha chaos: " << why << "\n";
    return 2;
  }
  const std::vector<ScheduledFault> schedule = make_chaos_schedule(schedule_options(options));
  const int settle = options.settle_timeout_seconds > 0
                         ? options.settle_timeout_seconds
                         : default_settle_timeout_seconds(options.ha_timeout_seconds);
  out << fmt::format(
             "chaos: {} hosts, {} faults, seed {}, T = {} s, {} protected disk-writer VMs ({} per "
             "host), settle timeout {} s, wall-clock jumps {}",
             options.hosts, options.faults, options.seed, options.ha_timeout_seconds,
             options.hosts * options.vms_per_host, options.vms_per_host, settle,
             options.clock_jumps ? "on" : "off")
      << std::endl;
  if (options.schedule_only) {
    print_schedule(schedule, out);
    return 0;
  }
  if (const std::string why = machine_unavailable_reason(); !why.empty()) {
    err << "poolha chaos: this machine cannot run a chaos pool: " << why << "\n";
    return 2;
  }
  const bool jumps = std::any_of(schedule.begin(), schedule.end(), [](const ScheduledFault& f) {
    return f.kind == FaultKind::kClockJump;
  });
  if (jumps && !WallClockJumps::can_set_clock()) {
    err << "poolha chaos: the schedule jumps the wall clock, but this process cannot set it "
           "(needs CAP_SYS_TIME); run with --no-clock-jump\n";
    return 2;
  }

  const Clock::time_point start = Clock::now();
  localpool::InterruptHandler interrupt_handler;
  // Declared before the pool: destroyed after it, so the clock is set back
  // on every way out, last.
  WallClockJumps clock;
  std::unique_ptr<LocalPool> pool;
  int status = 1;
  try {
    pool = std::make_unique<LocalPool>(pool_options(options));
    ChaosRun run(options, schedule, *pool, clock, start, out);
    try {
      run.setup();
      run.inject_all();
    } catch (...) {
      run.undo_now();
      throw;
    }
    status = run.finish();
  } catch (const localpool::Interrupted&) {
    err << "poolha chaos: interrupted; tearing the pool down\n";
    status = 130;
  } catch (const std::exception& error) {
    err << "poolha chaos: " << error.what() << "\n";
    if (pool) {
      for (const localpool::HostPlan& host : pool->plan().hosts) {
        err << "end of " << host.name << "'s daemon log:\n"
            << localpool::log_tail(host.daemon_log, 8);
      }
      if (!options.keep) err << "(run with --keep to keep every configuration and log)\n";
    }
    status = 1;
  }
  try {
    clock.restore();
  } catch (const std::exception& error) {
    err << "poolha chaos: cannot set the wall clock back: " << error.what() << "\n";
  }
  if (pool) pool->teardown();
  if (options.keep && pool)
    out << "work directory kept: " << pool->plan().work_dir.string() << "\n";
  return status;
}

}  // namespace poolha::chaos

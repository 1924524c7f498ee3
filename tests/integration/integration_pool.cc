// The shared pool fixture of the multi-process tests (integration_pool.h).
#include "integration_pool.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/process_file.h"
#include "common/tool_runner.h"
#include "localpool/namespace_network.h"
#include "localpool/nbd_storage_server.h"
#include "localpool/network_path_cut.h"
#include "oracle/ids.h"
#include "oracle/verdict_report.h"
#include "vm/process/process_group.h"
#include "vm/process_registry.h"

namespace poolha::integration {
namespace {

namespace fs = std::filesystem;
using localpool::LocalPool;
using localpool::PoolSnapshot;

using Clock = std::chrono::steady_clock;

// State letter and process group from /proc/PID/stat; the command name in
// parentheses may itself hold spaces and parentheses, so fields are read
// after the last ')'.
bool read_stat(pid_t pid, char* state, pid_t* group) {
  const std::optional<std::string> stat = read_process_file(pid, "stat");
  if (!stat) return false;
  const std::size_t close = stat->rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(stat->substr(close + 1));
  pid_t parent = 0;
  return static_cast<bool>(fields >> *state >> parent >> *group);
}

fs::path make_work_root() {
  std::string pattern = (fs::temp_directory_path() / "poolha-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  return pattern;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : " ") + item;
  return text;
}

// The hosts a process VM's log says it ran on ("HH:MM:SS vm-1 running on host-3").
std::set<std::string> hosts_in_process_vm_log(const fs::path& log) {
  std::set<std::string> hosts;
  std::ifstream in(log);
  std::string line;
  const std::string marker = " running on ";
  while (std::getline(in, line)) {
    const std::size_t at = line.rfind(marker);
    if (at != std::string::npos) hosts.insert(line.substr(at + marker.size()));
  }
  return hosts;
}

// Whether an ack log holds a line of this VM ("VM_ID BOOT_ID SEQUENCE TIME_NS").
bool ack_log_mentions(const fs::path& log, const std::string& vm_id) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > vm_id.size() && line.compare(0, vm_id.size(), vm_id) == 0 &&
        line[vm_id.size()] == ' ') {
      return true;
    }
  }
  return false;
}

std::string canonical_vm_id(const std::string& uuid) {
  const std::optional<std::string> id = oracle::parse_vm_id(uuid);
  if (!id) throw std::runtime_error("'" + uuid + "' is not a VM uuid");
  return *id;
}

}  // namespace

std::string product_shape_unavailable() {
  for (const std::string& why : {localpool::NamespaceNetwork::unavailable_reason(),
                                 localpool::NbdStorageServer::unavailable_reason(),
                                 localpool::path_cut_unavailable_reason()}) {
    if (!why.empty()) return why;
  }
  return "";
}

PoolSetup product_shape(PoolSetup setup) {
  setup.isolation = localpool::Isolation::kNamespaces;
  setup.storage = localpool::Storage::kNbdNamespace;
  setup.vm_kind = localpool::VmKind::kDiskWriter;
  return setup;
}

std::string describe_shape(const PoolSetup& setup) {
  std::string text = std::to_string(setup.hosts) + " hosts ";
  text += setup.isolation == localpool::Isolation::kNamespaces ? "in network namespaces"
                                                               : "on loopback addresses";
  text += setup.storage == localpool::Storage::kNbdNamespace
              ? ", heartbeat SR and VM disks served over NBD"
              : ", heartbeat SR in a local file";
  switch (setup.vm_kind) {
    case localpool::VmKind::kProcess:
      text += ", shell-loop process VMs";
      break;
    case localpool::VmKind::kQemu:
      text += ", QEMU micro-VMs";
      break;
    case localpool::VmKind::kDiskWriter:
      text += ", disk-writer VMs judged by the disk oracle";
      break;
  }
  return text;
}

std::map<std::string, std::set<pid_t>> running_vm_process_groups() {
  static const std::string kMarker = "POOLHA_VM_UUID=";
  std::map<std::string, std::set<pid_t>> groups;
  const pid_t self = ::getpid();
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == self) continue;
    char state = 0;
    pid_t group = 0;
    // A process that exits between listing and reading is simply skipped.
    if (!read_stat(pid, &state, &group)) continue;
    if (state == 'Z' || state == 'X') continue;
    const std::optional<std::string> environment = read_process_file(pid, "environ");
    if (!environment) continue;
    std::size_t at = 0;
    while (at < environment->size()) {
      std::size_t end = environment->find('\0', at);
      if (end == std::string::npos) end = environment->size();
      if (environment->compare(at, kMarker.size(), kMarker) == 0) {
        groups[environment->substr(at + kMarker.size(), end - at - kMarker.size())].insert(group);
        break;
      }
      at = end + 1;
    }
  }
  return groups;
}

std::optional<FenceReport> fence_report(const localpool::HostPlan& host) {
  if (!fs::exists(host.state_dir / "fence-reason.json")) return std::nullopt;
  const poolha::ToolResult result =
      poolha::run_tool({POOLHA_BINARY, "fence-reason", "--state-dir", host.state_dir.string()});
  return FenceReport{result.exit_code, result.output};
}

std::vector<localpool::VmSpec> process_vms(std::size_t count, const std::string& priority) {
  std::vector<localpool::VmSpec> vms;
  for (std::size_t i = 0; i < count; ++i) {
    localpool::VmSpec vm;
    vm.name = "vm-" + std::to_string(i + 1);
    vm.priority = priority;
    vms.push_back(vm);
  }
  return vms;
}

localpool::XeResult run_xe_printed(LocalPool& pool, std::size_t host,
                                   const std::vector<std::string>& args) {
  const localpool::XeResult result = pool.xe(host, args);
  std::cout << "$ xe " << joined(args) << "    (on " << pool.host(host).name << ", exit "
            << result.exit_code << ")\n"
            << result.out << result.err << std::flush;
  return result;
}

IntegrationPool::IntegrationPool(const PoolSetup& setup) : setup_(setup) {
  work_dir_ = make_work_root();
  localpool::LocalPoolOptions options;
  options.hosts = setup.hosts;
  options.ha_timeout_seconds = setup.ha_timeout_seconds;
  options.vm_kind = setup.vm_kind;
  options.isolation = setup.isolation;
  options.storage = setup.storage;
  options.vm_disk_mib = setup.vm_disk_mib;
  options.poolha_binary = POOLHA_BINARY;
  // LocalPool makes (and owns) this subdirectory; the root is ours to keep
  // or remove once the outcome of the test is known.
  options.work_dir = work_dir_ / "pool";
  options.keep_work_dir = true;
  options.vms = setup.vms;
  options.progress = &std::cout;
  pool_ = std::make_unique<LocalPool>(options);
}

IntegrationPool::~IntegrationPool() {
  finish(false);
}

void IntegrationPool::create_and_start() {
  pool_->create();
  for (std::size_t i = 0; i < host_count(); ++i) pool_->start_host(i);
  for (std::size_t i = 0; i < host_count(); ++i) pool_->wait_for_api(i, Seconds(60));
  // Known while host-1 answers, for the checks made after it is gone.
  for (const localpool::VmSpec& vm : setup_.vms) vm_uuid(vm.name);
}

void IntegrationPool::enable_ha() {
  const std::string sr = pool_->xe_checked(0, {"sr-list", "name-label=MGMT-HA", "--minimal"});
  if (sr != pool_->plan().sr_uuid) {
    throw std::runtime_error("sr-list MGMT-HA gave '" + sr + "', not the heartbeat SR " +
                             pool_->plan().sr_uuid);
  }
  pool_->xe_checked(0, {"pool-ha-enable", "heartbeat-sr-uuids=" + sr,
                        "ha-config:timeout=" + std::to_string(setup_.ha_timeout_seconds)});
  std::vector<std::size_t> everyone;
  for (std::size_t i = 0; i < host_count(); ++i) everyone.push_back(i);
  watch_until(
      everyone, everyone,
      [&] {
        std::optional<std::string> master;
        for (std::size_t i = 0; i < host_count(); ++i) {
          const auto seen = snapshot(i);
          if (!seen || seen->master.empty() || seen->hosts.size() != host_count()) return false;
          for (const auto& entry : seen->hosts) {
            if (!entry.second.live) return false;
          }
          if (master && *master != seen->master) return false;
          master = seen->master;
        }
        return true;
      },
      Seconds(60 + 6 * setup_.ha_timeout_seconds),
      "HA enabled: every host sees every host live and the same master");
}

std::string IntegrationPool::vm_uuid(const std::string& name) {
  if (const auto known = vm_uuids_.find(name); known != vm_uuids_.end()) return known->second;
  const std::string uuid = pool_->xe_checked(0, {"vm-list", "name-label=" + name, "--minimal"});
  if (uuid.empty() || uuid.find(',') != std::string::npos) {
    throw std::runtime_error("vm-list name-label=" + name + " gave '" + uuid + "'");
  }
  vm_uuids_[name] = uuid;
  return uuid;
}

void IntegrationPool::start_protected_vms_on(std::size_t host) {
  const std::string& name = this->host(host).name;
  std::vector<std::string> uuids;
  for (const localpool::VmSpec& vm : setup_.vms) {
    if (vm.priority != "restart") continue;
    uuids.push_back(vm_uuid(vm.name));
    start_vm_on(uuids.back(), host);
  }
  std::vector<std::size_t> everyone;
  for (std::size_t i = 0; i < host_count(); ++i) everyone.push_back(i);
  watch_until(
      {0}, everyone,
      [&] {
        const auto seen = snapshot(0);
        if (!seen || !localpool::protected_vms_run_on(*seen, {name})) return false;
        return std::all_of(uuids.begin(), uuids.end(), [&](const std::string& uuid) {
          return hosts_running_vm(uuid) == std::vector<std::string>{name};
        });
      },
      vm_boot_deadline(), "the protected VMs to run on " + name);
}

void IntegrationPool::start_vm_on(const std::string& uuid, std::size_t host) {
  const std::vector<std::string> args = {"vm-start", "uuid=" + uuid, "on=" + this->host(host).name};
  // Right after HA is enabled the master's coordinator may not have heard
  // from a host's VM agent yet and calls the host unreachable (HOST_OFFLINE);
  // that is retried for up to T, saying so, rather than failing the
  // failover test it precedes.
  const auto give_up = Clock::now() + Seconds(setup_.ha_timeout_seconds);
  for (;;) {
    const localpool::XeResult result = pool_->xe(0, args);
    if (result.exit_code == 0) return;
    if (result.err.find("could not be contacted") == std::string::npos || Clock::now() > give_up) {
      throw std::runtime_error("xe " + joined(args) + " failed: " + result.err);
    }
    std::cout << "xe " << joined(args) << " refused, retrying: " << result.err << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

std::optional<PoolSnapshot> IntegrationPool::snapshot(std::size_t host) {
  try {
    auto& session = sessions_[host];
    if (!session) session = pool_->api(host, Seconds(5));
    return localpool::read_snapshot(session->client());
  } catch (const std::exception&) {
    sessions_.erase(host);
    return std::nullopt;
  }
}

void IntegrationPool::check_no_vm_runs_twice() {
  for (const auto& [uuid, groups] : running_vm_process_groups()) {
    if (groups.size() <= 1) continue;
    std::string detail;
    for (const pid_t group : groups) detail += " " + std::to_string(group);
    const std::vector<std::string> hosts = hosts_running_vm(uuid);
    throw std::runtime_error("VM " + uuid + " runs twice: process groups" + detail +
                             " (listed by hosts: " + joined(hosts) + ")");
  }
}

void IntegrationPool::check_hosts_up(const std::vector<std::size_t>& hosts) {
  for (const std::size_t index : hosts) {
    const fs::path record = host(index).state_dir / "fence-reason.json";
    std::error_code missing;
    const auto written = fs::last_write_time(record, missing);
    const auto accepted = accepted_fences_.find(index);
    const bool accepted_already = accepted != accepted_fences_.end() && accepted->second == written;
    if (const std::optional<FenceReport> fence = fence_report(host(index));
        fence && !accepted_already) {
      throw std::runtime_error(host(index).name + " fenced although it must stay up:\n" +
                               fence->text);
    }
    if (!pool_->host_running(index)) {
      throw std::runtime_error(host(index).name +
                               " stopped although it must stay up: " + pool_->host_failure(index));
    }
  }
}

void IntegrationPool::accept_fence(std::size_t index) {
  accepted_fences_[index] = fs::last_write_time(host(index).state_dir / "fence-reason.json");
}

std::vector<std::string> IntegrationPool::hosts_running_vm(const std::string& vm_uuid) {
  std::vector<std::string> hosts;
  for (std::size_t i = 0; i < host_count(); ++i) {
    if (!fs::exists(host(i).vm_registry)) continue;
    const vm::VmProcessRegistry registry(host(i).vm_registry);
    for (const auto& [uuid, group] : registry.list()) {
      if (uuid == vm_uuid && vm::group_member_has_environment(group, "POOLHA_VM_UUID=" + uuid)) {
        hosts.push_back(host(i).name);
      }
    }
  }
  return hosts;
}

bool IntegrationPool::vms_run_once_on(const std::vector<std::string>& vm_names,
                                      const std::vector<std::string>& hosts) {
  for (const std::string& name : vm_names) {
    const std::vector<std::string> running = hosts_running_vm(vm_uuid(name));
    if (running.size() != 1) return false;
    if (std::find(hosts.begin(), hosts.end(), running.front()) == hosts.end()) return false;
  }
  return true;
}

void IntegrationPool::wait_fenced_and_failed_over(std::size_t victim,
                                                  const std::vector<std::size_t>& survivors,
                                                  const std::vector<std::string>& vm_names,
                                                  const std::function<void()>& each_poll) {
  std::vector<std::string> survivor_names;
  for (const std::size_t index : survivors) survivor_names.push_back(host(index).name);
  watch_until(
      survivors, survivors,
      [&] {
        if (each_poll) each_poll();
        if (!fence_report(host(victim)) || pool_->host_running(victim)) return false;
        const auto seen = snapshot(survivors.front());
        return seen && localpool::protected_vms_run_on(*seen, survivor_names) &&
               vms_run_once_on(vm_names, survivor_names);
      },
      failover_deadline(),
      host(victim).name + " to fence and " + joined(vm_names) + " to run on " +
          joined(survivor_names));
}

void IntegrationPool::expect_fence_record(std::size_t index, const std::string& decided_by) {
  const std::optional<FenceReport> fence = fence_report(host(index));
  ASSERT_TRUE(fence) << host(index).name << " has no fence record";
  std::cout << "poolha fence-reason --state-dir " << host(index).state_dir.string() << ":\n"
            << fence->text << std::endl;
  EXPECT_EQ(fence->exit_code, 0);
  EXPECT_NE(fence->text.find("Host " + host(index).name + " fenced"), std::string::npos);
  EXPECT_NE(fence->text.find("Decided by: " + decided_by + ":"), std::string::npos)
      << "expected the fence to be decided by " << decided_by;
}

void IntegrationPool::watch_until(const std::vector<std::size_t>& observers,
                                  const std::vector<std::size_t>& must_stay_up,
                                  const std::function<bool()>& done, Seconds timeout,
                                  const std::string& what) {
  const auto start = Clock::now();
  std::map<std::size_t, PoolSnapshot> last;
  LocalPool::wait_until(
      [&] {
        check_no_vm_runs_twice();
        check_hosts_up(must_stay_up);
        // A timeline of what the observers report, for the test's output.
        for (const std::size_t observer : observers) {
          const auto seen = snapshot(observer);
          if (!seen) continue;
          const auto previous = last.find(observer);
          if (previous != last.end()) {
            for (const std::string& line : localpool::describe_changes(previous->second, *seen)) {
              const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
              std::cout << "  [" << std::fixed << std::setprecision(1) << elapsed << " s] "
                        << host(observer).name << " sees: " << line << "\n";
            }
          }
          last[observer] = *seen;
        }
        std::cout << std::flush;
        return done();
      },
      timeout, what, std::chrono::milliseconds(500));
}

void IntegrationPool::hold_for(Seconds duration, const std::vector<std::size_t>& observers,
                               const std::vector<std::size_t>& must_stay_up,
                               const std::function<void()>& check, const std::string& what) {
  std::cout << "holding for " << duration.count() << " s: " << what << std::endl;
  const auto end = Clock::now() + duration;
  watch_until(
      observers, must_stay_up,
      [&] {
        check();
        return Clock::now() >= end;
      },
      duration + Seconds(60), what);
}

std::set<std::string> IntegrationPool::hosts_vm_ran_on(const std::string& vm_name) {
  switch (setup_.vm_kind) {
    case localpool::VmKind::kProcess:
      return hosts_in_process_vm_log(pool_->plan().vm_log_dir / (vm_name + ".log"));
    case localpool::VmKind::kDiskWriter: {
      const std::string id = canonical_vm_id(vm_uuid(vm_name));
      std::set<std::string> hosts;
      for (std::size_t i = 0; i < host_count(); ++i) {
        if (ack_log_mentions(host(i).ack_log, id)) hosts.insert(host(i).name);
      }
      return hosts;
    }
    case localpool::VmKind::kQemu:
      break;
  }
  throw std::logic_error("hosts_vm_ran_on: QEMU VMs leave no such record");
}

std::optional<oracle::Verdict> IntegrationPool::power_off_and_judge(
    const std::vector<std::string>& restarted) {
  std::set<std::string> ours;
  for (const localpool::VmSpec& vm : setup_.vms) ours.insert(vm_uuid(vm.name));
  // A fencer kills its host's VMs but leaves their registry entries, whose
  // group ids the kernel may since have given to other processes: the
  // power-off below signals every listed group, so those entries go first.
  for (std::size_t i = 0; i < host_count(); ++i) {
    if (pool_->host_running(i) || !fs::exists(host(i).vm_registry)) continue;
    vm::VmProcessRegistry registry(host(i).vm_registry);
    for (const auto& [uuid, group] : registry.list()) {
      if (!vm::group_member_has_environment(group, "POOLHA_VM_UUID=" + uuid)) registry.erase(uuid);
    }
  }
  // Back to back, well within T: no survivor has time to start a failover.
  for (std::size_t i = 0; i < host_count(); ++i) pool_->kill_host(i);
  std::cout << "every host powered off" << std::endl;
  // Each VM was in its host's registry, so it died with it; one that lives
  // on was started behind the registry's back and could still write.
  LocalPool::wait_until(
      [&] {
        const auto groups = running_vm_process_groups();
        return std::none_of(ours.begin(), ours.end(),
                            [&](const std::string& uuid) { return groups.contains(uuid); });
      },
      Seconds(10), "no VM process to outlive the power-off of every host",
      std::chrono::milliseconds(100));
  if (setup_.vm_kind != localpool::VmKind::kDiskWriter) return std::nullopt;

  const oracle::Verdict verdict = pool_->judge_disks();
  const std::string report = oracle::format_verdict(verdict);
  std::cout << "disk oracle:\n" << report << std::flush;
  EXPECT_TRUE(verdict.clean()) << "the disk oracle found a violation:\n" << report;
  auto summary_of = [&](const std::string& id) -> const oracle::VmSummary* {
    for (const oracle::VmSummary& vm : verdict.vms) {
      if (vm.vm == id) return &vm;
    }
    return nullptr;
  };
  for (const oracle::VmSummary& vm : verdict.vms) {
    // A writer that never got an acknowledgement would make any verdict clean.
    EXPECT_GT(vm.acked, 0u) << "VM " << vm.vm << " ran but acknowledged nothing";
  }
  for (const std::string& name : restarted) {
    const oracle::VmSummary* vm = summary_of(canonical_vm_id(vm_uuid(name)));
    if (vm == nullptr) {
      ADD_FAILURE() << name << " left nothing on its disk";
      continue;
    }
    EXPECT_GE(vm->boots, 2u) << name << " did not run again after the fault";
  }
  return verdict;
}

Seconds IntegrationPool::failover_deadline() const {
  return Seconds(60 + 10 * setup_.ha_timeout_seconds) + vm_boot_deadline();
}

Seconds IntegrationPool::vm_boot_deadline() const {
  return Seconds(setup_.vm_kind == localpool::VmKind::kQemu ? 180 : 30);
}

void IntegrationPool::dump_logs(std::size_t lines) {
  for (std::size_t i = 0; i < host_count(); ++i) {
    std::cout << "---- end of " << host(i).daemon_log.string() << ":\n"
              << localpool::log_tail(host(i).daemon_log, lines) << "---- end of "
              << host(i).fencer_log.string() << ":\n"
              << localpool::log_tail(host(i).fencer_log, 10);
    if (const auto fence = fence_report(host(i))) {
      std::cout << "---- " << host(i).name << " fence record:\n" << fence->text;
    }
  }
  if (setup_.storage == localpool::Storage::kNbdNamespace) {
    const fs::path& log = pool_->plan().storage.server_log;
    std::cout << "---- end of " << log.string() << ":\n" << localpool::log_tail(log, 10);
  }
  std::cout << std::flush;
}

void IntegrationPool::finish(bool keep) {
  if (finished_) return;
  finished_ = true;
  sessions_.clear();
  pool_->teardown();
  if (keep) {
    std::cout << "pool work directory kept: " << work_dir_.string() << std::endl;
  } else {
    std::error_code ignored;
    fs::remove_all(work_dir_, ignored);
  }
}

void IntegrationTest::TearDown() {
  if (!pool_) return;
  const bool failed = HasFailure();
  // Showing the logs must never keep the pool from being torn down: a
  // daemon left running would disturb every later test.
  if (failed) {
    try {
      pool_->dump_logs(40);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "cannot show the pool's logs and fence records: " << error.what();
    }
  }
  pool_->finish(failed || std::getenv("POOLHA_INTEGRATION_KEEP") != nullptr);
  pool_.reset();
}

IntegrationPool& IntegrationTest::make_pool(const PoolSetup& setup) {
  pool_ = std::make_unique<IntegrationPool>(setup);
  return *pool_;
}

std::vector<std::string> IntegrationTest::names(const std::vector<std::size_t>& indexes) {
  std::vector<std::string> result;
  for (const std::size_t index : indexes) result.push_back(pool_->host(index).name);
  return result;
}

bool IntegrationTest::namespaces_unavailable(std::string* why) {
  *why = localpool::NamespaceNetwork::unavailable_reason();
  return !why->empty();
}

PoolSetup IntegrationTest::best_shape(PoolSetup setup) {
  const std::string why = product_shape_unavailable();
  if (why.empty()) setup = product_shape(setup);
  std::cout << "pool: " << describe_shape(setup)
            << (why.empty() ? std::string() : " (not the product's shape: " + why + ")")
            << std::endl;
  return setup;
}

}  // namespace poolha::integration

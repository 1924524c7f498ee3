// What the multi-process tests share: a LocalPool running the real
// `poolha daemon`, brought to "HA enabled, protected VMs running on host X",
// and an observer that polls the survivors' API while checking, at every
// poll, the one invariant no failover may break: a VM never runs twice.
// Copies are counted from the machine's process list (every VM process
// carries POOLHA_VM_UUID in its environment), not from what the daemons
// claim, so a daemon bug cannot hide a second copy.
//
// As root the fault-contract tests run on the product's shape: every host in
// its own network namespace, the heartbeat SR and the VM disks served over
// NBD on a storage network, and each VM a disk writer. After the fault every
// host loses power and the disk oracle judges what the disks hold: no two
// boots of a VM overlapped in time, no acknowledged write was lost. That
// proves on the data what the process-list detector can only sample.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "localpool/local_pool.h"
#include "localpool/pool_snapshot.h"
#include "oracle/oracle.h"

namespace poolha::integration {

using Seconds = std::chrono::seconds;

// The smallest T the daemon accepts with the default fence latency.
inline constexpr int kHaTimeoutSeconds = 5;

struct PoolSetup {
  std::size_t hosts = 3;
  localpool::Isolation isolation = localpool::Isolation::kLoopback;
  localpool::Storage storage = localpool::Storage::kLocalFile;  // kNbdNamespace needs kNamespaces
  localpool::VmKind vm_kind = localpool::VmKind::kProcess;      // kDiskWriter needs kNbdNamespace
  std::vector<localpool::VmSpec> vms;
  int ha_timeout_seconds = kHaTimeoutSeconds;
  std::uint64_t vm_disk_mib = 4;  // kNbdNamespace: each VM's disk (a writer fills it in ~10 min)
};

// Empty when this machine can run a pool in the product's shape (hosts in
// namespaces, NBD storage, disk-writer VMs, cuttable network paths);
// otherwise why not.
std::string product_shape_unavailable();

// `setup` in the product's shape.
PoolSetup product_shape(PoolSetup setup);

// One line naming the shape, for the test's output.
std::string describe_shape(const PoolSetup& setup);

// Every process group on this machine running a VM, by VM uuid.
std::map<std::string, std::set<pid_t>> running_vm_process_groups();

// The fence record of a host's state directory, as `poolha fence-reason`
// prints it; nullopt when the host never fenced.
struct FenceReport {
  int exit_code = 0;
  std::string text;
};
std::optional<FenceReport> fence_report(const localpool::HostPlan& host);

class IntegrationPool {
 public:
  explicit IntegrationPool(const PoolSetup& setup);
  ~IntegrationPool();
  IntegrationPool(const IntegrationPool&) = delete;
  IntegrationPool& operator=(const IntegrationPool&) = delete;

  localpool::LocalPool& pool() { return *pool_; }
  const localpool::HostPlan& host(std::size_t index) const { return pool_->host(index); }
  std::size_t host_count() const { return pool_->host_count(); }
  const PoolSetup& setup() const { return setup_; }

  // Writes the pool database, boots every host and waits for every API.
  void create_and_start();
  // `xe pool-ha-enable` with T, then waits until every host reports every
  // host live and one master.
  void enable_ha();
  // The uuid of the VM with this name-label, asked of host-1 once and
  // remembered (host-1 may be gone later).
  std::string vm_uuid(const std::string& name);
  // `xe vm-start uuid=<uuid> on=<host>` through host-1.
  void start_vm_on(const std::string& uuid, std::size_t host);
  // Starts every VM whose priority is "restart" on `host` and waits until
  // each runs there (in the records and as a process).
  void start_protected_vms_on(std::size_t host);

  // A snapshot read through `host`'s API; nullopt when it does not answer.
  std::optional<localpool::PoolSnapshot> snapshot(std::size_t host);

  // Polls every half second until `done` holds. At every poll: no VM runs
  // twice on this machine, every host in `must_stay_up` still runs and has
  // not fenced, and what each of `observers` reports is printed as a
  // timeline. Throws (failing the test) when a check breaks or the deadline
  // passes.
  void watch_until(const std::vector<std::size_t>& observers,
                   const std::vector<std::size_t>& must_stay_up, const std::function<bool()>& done,
                   Seconds timeout, const std::string& what);

  // Polls for `duration`, making watch_until's checks and `check` (which
  // throws when what must hold does not) at every poll.
  void hold_for(Seconds duration, const std::vector<std::size_t>& observers,
                const std::vector<std::size_t>& must_stay_up, const std::function<void()>& check,
                const std::string& what);

  // The checks watch_until makes at each poll, for callers that poll
  // themselves.
  void check_no_vm_runs_twice();
  void check_hosts_up(const std::vector<std::size_t>& hosts);
  // The host's current fence record is expected (the test caused it): later
  // checks only object to a newer one.
  void accept_fence(std::size_t host);

  // Which host's VM registry lists a running group of this VM; empty when
  // none does.
  std::vector<std::string> hosts_running_vm(const std::string& vm_uuid);
  // Each named VM runs exactly once, on one of `hosts`, by its host's registry.
  bool vms_run_once_on(const std::vector<std::string>& vm_names,
                       const std::vector<std::string>& hosts);

  // Waits until `victim` has fenced (a fence record, its daemon gone) and
  // the survivors report every protected VM running on one of them, each of
  // `vm_names` exactly once; the survivors must stay up meanwhile. At every
  // poll `each_poll` may add checks (it throws when one breaks).
  void wait_fenced_and_failed_over(std::size_t victim, const std::vector<std::size_t>& survivors,
                                   const std::vector<std::string>& vm_names,
                                   const std::function<void()>& each_poll = {});
  // Prints the host's fence record (`poolha fence-reason`) and expects it to
  // name the host and `decided_by` (a fence cause: engine, missed-kicks, ...).
  void expect_fence_record(std::size_t host, const std::string& decided_by);

  // The hosts whose output shows the VM ran there: the process VM's log
  // lines, or the host ack logs holding a disk writer's acknowledgements.
  std::set<std::string> hosts_vm_ran_on(const std::string& vm_name);

  // The end of every test that failed VMs over. Every host loses power at
  // once (so no further failover starts), and every VM process must be gone.
  // For disk-writer VMs the disk oracle then judges the disks, its report is
  // printed, and the verdict must be clean, with each VM of `restarted` seen
  // in two boots or more (it ran again after the fault) and each VM that
  // ran with acknowledged records. Returns the verdict (nullopt for other VM
  // kinds). Throws when a VM process outlives its host.
  std::optional<oracle::Verdict> power_off_and_judge(const std::vector<std::string>& restarted);

  // Generous deadlines derived from T: detection, fencing and restart of a
  // failed host's VMs, and a VM's boot.
  Seconds failover_deadline() const;
  Seconds vm_boot_deadline() const;

  // For TearDown: the end of every host's daemon and fencer log and any
  // fence record, printed to stdout; then the pool is torn down and its
  // work directory removed unless `keep` (kept when a test failed, or when
  // POOLHA_INTEGRATION_KEEP is set).
  void dump_logs(std::size_t lines);
  void finish(bool keep);

  const std::filesystem::path& work_dir() const { return work_dir_; }

 private:
  PoolSetup setup_;
  std::filesystem::path work_dir_;
  std::unique_ptr<localpool::LocalPool> pool_;
  std::map<std::size_t, std::unique_ptr<localpool::ApiSession>> sessions_;
  std::map<std::size_t, std::filesystem::file_time_type> accepted_fences_;
  std::map<std::string, std::string> vm_uuids_;  // by name
  bool finished_ = false;
};

// Base fixture: owns the pool; on failure prints the hosts' logs and keeps
// the work directory.
class IntegrationTest : public ::testing::Test {
 protected:
  void TearDown() override;
  IntegrationPool& make_pool(const PoolSetup& setup);
  IntegrationPool& pool() { return *pool_; }

  // Host names for `indexes`.
  std::vector<std::string> names(const std::vector<std::size_t>& indexes);
  // Whether the machine cannot put hosts in network namespaces, and why.
  bool namespaces_unavailable(std::string* why);
  // The setup a contract row runs with: the product's shape where the
  // machine allows it, else `setup` as given (hosts on loopback addresses,
  // process VMs, the SR a local file). Prints which.
  PoolSetup best_shape(PoolSetup setup);

  std::unique_ptr<IntegrationPool> pool_;
};

// VM specs vm-1..vm-N, each `priority`, 64 MiB (of whatever VM kind the pool runs).
std::vector<localpool::VmSpec> process_vms(std::size_t count, const std::string& priority);

// Runs `xe <args>` against `host`, prints the command line, its exit status
// and its output, and returns the result.
localpool::XeResult run_xe_printed(localpool::LocalPool& pool, std::size_t host,
                                   const std::vector<std::string>& args);

}  // namespace poolha::integration

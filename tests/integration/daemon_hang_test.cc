// The daemon of one host hangs (DESIGN §8 row 18): SIGSTOP freezes only its
// process; the host's fencer and VMs run on, so the VMs keep writing. The
// fencer must notice the missed kicks and fence the host, and only then may
// the survivors restart its VMs. The process list is watched at every poll
// and, in the product's shape, the disk oracle proves that no boot of a VM
// overlapped the next one.
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/process_file.h"
#include "integration_pool.h"

namespace poolha::integration {
namespace {

// argv of a process, from /proc/PID/cmdline.
std::vector<std::string> command_line_of(pid_t pid) {
  // A process that is gone has no command line.
  const std::string raw = read_process_file(pid, "cmdline").value_or("");
  std::vector<std::string> argv;
  std::size_t at = 0;
  while (at < raw.size()) {
    const std::size_t end = raw.find('\0', at);
    argv.push_back(raw.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return argv;
}

// The host's `poolha daemon` process, told from its fencer by its command
// line (host_pids lists both, each the leader of its own group).
pid_t daemon_pid(localpool::LocalPool& pool, std::size_t host) {
  for (const pid_t pid : pool.host_pids(host)) {
    const std::vector<std::string> argv = command_line_of(pid);
    if (argv.size() > 1 && argv[1] == "daemon") return pid;
  }
  throw std::runtime_error(pool.host(host).name + " runs no daemon");
}

// Lets the frozen daemon go on when the test ends before its fencer killed
// it, so nothing is left stopped; only while the pool still runs that pid.
class Resume {
 public:
  Resume(localpool::LocalPool& pool, std::size_t host, pid_t pid)
      : pool_(pool), host_(host), pid_(pid) {}
  ~Resume() {
    const std::vector<pid_t> pids = pool_.host_pids(host_);
    if (std::find(pids.begin(), pids.end(), pid_) != pids.end()) ::kill(pid_, SIGCONT);
  }
  Resume(const Resume&) = delete;
  Resume& operator=(const Resume&) = delete;

 private:
  localpool::LocalPool& pool_;
  std::size_t host_;
  pid_t pid_;
};

class DaemonHangTest : public IntegrationTest {};

TEST_F(DaemonHangTest, FencerFencesAHungDaemonBeforeItsVmsRestartElsewhere) {
  PoolSetup setup;
  setup.vms = process_vms(2, "restart");
  IntegrationPool& p = make_pool(best_shape(setup));
  p.create_and_start();
  p.enable_ha();
  p.start_protected_vms_on(1);

  const pid_t frozen = daemon_pid(p.pool(), 1);
  const std::vector<pid_t> before = p.pool().host_pids(1);
  std::cout << "SIGSTOP to host-2's daemon, pid " << frozen << std::endl;
  const Resume resume(p.pool(), 1, frozen);
  ASSERT_EQ(::kill(frozen, SIGSTOP), 0);

  // A VM running on a survivor before host-2 fenced would run beside the
  // copy the hung host still runs.
  bool vms_ran_while_frozen = false;
  p.wait_fenced_and_failed_over(1, {0, 2}, {"vm-1", "vm-2"}, [&] {
    if (fence_report(p.host(1))) return;
    for (const char* name : {"vm-1", "vm-2"}) {
      const std::vector<std::string> hosts = p.hosts_running_vm(p.vm_uuid(name));
      for (const std::string& host : hosts) {
        if (host != "host-2") {
          throw std::runtime_error(std::string(name) + " runs on " + host +
                                   " before host-2 fenced");
        }
      }
      vms_ran_while_frozen = vms_ran_while_frozen || !hosts.empty();
    }
  });
  EXPECT_TRUE(vms_ran_while_frozen) << "host-2's VMs were not seen running while it hung";
  p.expect_fence_record(1, "missed-kicks");
  // The fencer killed the frozen daemon and stays, for the next daemon.
  const std::vector<pid_t> after = p.pool().host_pids(1);
  EXPECT_EQ(after.size(), 1u) << "only the fencer is left";
  EXPECT_TRUE(after.size() == 1 && after.front() != frozen && after.front() == before.front())
      << "the fencer was pid " << before.front();
  EXPECT_NE(p.pool().host_failure(1).find("daemon exited"), std::string::npos)
      << p.pool().host_failure(1);

  const auto seen = p.snapshot(0);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->master, "host-1") << "a slave's loss does not move the master role";
  p.power_off_and_judge({"vm-1", "vm-2"});
}

}  // namespace
}  // namespace poolha::integration

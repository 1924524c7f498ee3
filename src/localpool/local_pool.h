// A whole poolha pool on one machine: per host a configuration, a state and
// a run directory, a `poolha fencer` and a `poolha daemon`; one shared
// secret and one heartbeat SR file. Hosts listen on their own loopback
// address (127.0.0.(10 + N)) or, as root, live in their own network
// namespaces on a bridge. Hosts can be started, stopped cleanly, or lose
// power (every process of the host, VMs included, killed at once), and each
// host can be driven with xe command lines or direct API calls.
//
// Everything started is tracked by PID and killed by teardown() (and the
// destructor): fencers, daemons, and the VM process groups in each host's
// VM registry. Namespaces and the bridge are deleted; the work directory is
// removed unless it is kept.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/http_rpc_transport.h"
#include "common/time.h"
#include "localpool/namespace_network.h"
#include "localpool/pool_plan.h"
#include "localpool/process_table.h"
#include "xe/api_client.h"

namespace poolha::localpool {

struct LocalPoolOptions {
  std::size_t hosts = 3;        // 1..16
  int ha_timeout_seconds = 10;  // T, the pool's default_ha_timeout
  VmKind vm_kind = VmKind::kProcess;
  Isolation isolation = Isolation::kLoopback;
  std::filesystem::path poolha_binary;  // empty: this executable
  std::filesystem::path work_dir;       // empty: a new directory under the temp dir
  bool keep_work_dir = false;           // keep configs and logs after teardown
  std::vector<VmSpec> vms;              // created by create()
  std::uint64_t host_memory_mib = 4096;
  std::filesystem::path qemu_kernel;  // empty: the newest /boot/vmlinuz-*
  std::uint16_t heartbeat_port = 0;   // 0: 694 in namespaces, a free port on loopback
  std::uint16_t api_port = 0;         // 0: 80 in namespaces, a free port on loopback
  std::ostream* progress = nullptr;   // progress lines go here when set
};

struct XeResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// A logged-in XenAPI session with one host; logs out when destroyed.
class ApiSession {
 public:
  ApiSession(const std::string& address, int port, const std::string& user,
             const std::string& password, Duration read_timeout);
  ~ApiSession();
  ApiSession(const ApiSession&) = delete;
  ApiSession& operator=(const ApiSession&) = delete;

  xe::ApiClient& client() { return client_; }

 private:
  api::HttpRpcTransport transport_;
  xe::ApiClient client_;
};

// A wait that ran out of time; the message says what was awaited.
class WaitTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LocalPool {
 public:
  // Plans the pool, makes its work directory and, for kNamespaces, its
  // network. Throws std::invalid_argument for bad options and
  // std::runtime_error when the machine cannot host the pool.
  explicit LocalPool(LocalPoolOptions options);
  ~LocalPool();
  LocalPool(const LocalPool&) = delete;
  LocalPool& operator=(const LocalPool&) = delete;

  const PoolPlan& plan() const { return plan_; }
  std::size_t host_count() const { return plan_.hosts.size(); }
  const HostPlan& host(std::size_t index) const { return plan_.hosts.at(index); }
  const std::string& api_password() const { return password_; }

  // The directories, the secret, the password file and every host's
  // configuration (each checked with daemon::parse_config and against the
  // others); the micro-VM guest for qemu VMs.
  void write_files();
  // write_files(), then `poolha pool-create` writes the pool database, with
  // the options' VMs, to the heartbeat SR.
  void create();

  // Boots a host: empties its run directory (as a reboot empties /run),
  // starts its fencer, waits for the fencer's socket, starts its daemon.
  // Throws when a process cannot start or the fencer does not come up.
  void start_host(std::size_t index);
  // Power loss: freezes, then SIGKILLs, the daemon, the fencer and every VM
  // process group in the host's VM registry at once. Returns how many VM
  // process groups were killed.
  std::size_t kill_host(std::size_t index);
  // Clean shutdown: SIGTERM to the daemon, then to the fencer, each given
  // `grace` before it is killed. Returns whether both stopped on their own.
  bool stop_host(std::size_t index, Duration grace = std::chrono::seconds(30));

  // Whether the host's daemon and fencer both run.
  bool host_running(std::size_t index);
  // Empty while a started host's processes run; otherwise which one exited,
  // how, and the end of its log.
  std::string host_failure(std::size_t index);
  // PIDs (process groups) of the host's running fencer and daemon.
  std::vector<pid_t> host_pids(std::size_t index);

  // Polls `done` every `interval` until it is true. Throws WaitTimeout
  // naming `what` after `timeout`, and Interrupted on Ctrl-C.
  static void wait_until(const std::function<bool()>& done, Duration timeout,
                         const std::string& what,
                         Duration interval = std::chrono::milliseconds(200));
  // Waits until the host's API answers; throws with the daemon's log when
  // the daemon exits first.
  void wait_for_api(std::size_t index, Duration timeout);

  // Runs one xe command line against the host, as root with the pool's
  // password. `args` are what follows `xe`.
  XeResult xe(std::size_t index, const std::vector<std::string>& args);
  // xe(), but a non-zero exit throws with xe's message. Returns standard
  // output without its trailing newline.
  std::string xe_checked(std::size_t index, const std::vector<std::string>& args);
  // A session with the host's API for direct calls.
  std::unique_ptr<ApiSession> api(std::size_t index,
                                  Duration read_timeout = std::chrono::seconds(15));

  // Kills everything started, removes the namespaces and (unless kept) the
  // work directory. Safe to call twice.
  void teardown();

  // Kills every process group listed in a VM registry directory
  // (vm::VmProcessRegistry). Returns how many groups were signalled.
  static std::size_t kill_registered_vms(const std::filesystem::path& registry_dir);

 private:
  struct HostProcesses {
    std::optional<pid_t> fencer;
    std::optional<pid_t> daemon;
  };
  void say(const std::string& line);
  std::vector<std::string> host_command(std::size_t index, std::vector<std::string> argv) const;

  LocalPoolOptions options_;
  std::filesystem::path binary_;
  bool own_work_dir_ = false;
  std::unique_ptr<NamespaceNetwork> network_;
  PoolPlan plan_;
  std::string password_;
  std::vector<HostProcesses> processes_;
  ProcessTable table_;
  bool torn_down_ = false;
};

// The last `lines` lines of a log file, for error messages.
std::string log_tail(const std::filesystem::path& file, std::size_t lines = 20);

}  // namespace poolha::localpool

// A whole poolha pool on one machine: per host a configuration, a state and
// a run directory, a `poolha fencer` and a `poolha daemon`; one shared
// secret and one heartbeat SR. Hosts listen on their own loopback address
// (127.0.0.(10 + N)) or, as root, live in their own network namespaces on a
// management bridge. The heartbeat SR is a file every host opens, or (in
// namespaces, Storage::kNbdNamespace) an NBD export that a server in a
// storage namespace serves over a storage network of its own, next to one
// disk per VM: then each host reaches its storage over its own path, which
// can fail alone. Hosts can be started, stopped cleanly, or lose power
// (every process of the host, VMs included, killed at once), their network
// paths cut and restored, and each host can be driven with xe command lines
// or direct API calls.
//
// Everything started is tracked by PID and killed by teardown() (and the
// destructor): fencers, daemons, the NBD server, and the VM process groups
// in each host's VM registry. Namespaces and bridges are deleted; the work
// directory is removed unless it is kept.
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
#include "localpool/nbd_storage_server.h"
#include "localpool/network_path_cut.h"
#include "localpool/pool_plan.h"
#include "localpool/process_table.h"
#include "localpool/storage_network.h"
#include "oracle/oracle.h"
#include "xe/api_client.h"

namespace poolha::localpool {

struct LocalPoolOptions {
  std::size_t hosts = 3;        // 1..16
  int ha_timeout_seconds = 10;  // T, the pool's default_ha_timeout
  VmKind vm_kind = VmKind::kProcess;
  Isolation isolation = Isolation::kLoopback;
  Storage storage = Storage::kLocalFile;  // kNbdNamespace needs kNamespaces
  std::uint64_t vm_disk_mib = 16;         // kNbdNamespace: the size of each VM's disk
  std::uint16_t nbd_port = 0;             // kNbdNamespace: 0 is 10809
  std::filesystem::path poolha_binary;    // empty: this executable
  std::filesystem::path work_dir;         // empty: a new directory under the temp dir
  bool keep_work_dir = false;             // keep configs and logs after teardown
  std::vector<VmSpec> vms;                // created by create()
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
  // others); the micro-VM guest for qemu VMs. With kNbdNamespace also the
  // storage directory and every image the NBD server serves (made empty and
  // sparse where missing, kept where present).
  void write_files();
  // write_files(), starts the NBD server (kNbdNamespace) unless it runs,
  // then `poolha pool-create`, run on host-1 (in its namespace), writes the
  // pool database, with the options' VMs, to the heartbeat SR.
  void create();

  // The NBD server (kNbdNamespace; all but storage_server_running throw
  // std::logic_error for kLocalFile). start: every export answers when it returns; the images
  // must exist (write_files). stop: SIGKILL, as a crash; connections the
  // hosts have open break. Restarting serves the same address, port and
  // exports with the data written before. pause/resume: SIGSTOP/SIGCONT, the
  // server holds every request unanswered meanwhile.
  void start_storage_server();
  void stop_storage_server();
  void pause_storage_server();
  void resume_storage_server();
  bool storage_server_running();

  // Network path faults of one host (kNamespaces; storage needs
  // kNbdNamespace; std::logic_error otherwise). A cut drops every packet
  // through the host's interface of that network in its namespace (nft:
  // see network_path_cut.h): management is eth0 (heartbeats, API, peer
  // messages, the isolation address), storage is eth1 (the NBD server). The
  // host is not told; cuts outlive a reboot of the host, as a broken cable
  // does, until restored. Cutting a cut path or restoring an intact one does
  // nothing. Throws std::runtime_error when nft fails.
  void cut_management(std::size_t index);
  void restore_management(std::size_t index);
  bool management_cut(std::size_t index) const;
  void cut_storage(std::size_t index);
  void restore_storage(std::size_t index);
  bool storage_cut(std::size_t index) const;

  // Boots a host: empties its run directory (as a reboot empties /run),
  // starts its fencer, waits for the fencer's socket, starts its daemon.
  // Throws when a process cannot start or the fencer does not come up.
  void start_host(std::size_t index);
  // Power loss: freezes, then SIGKILLs, the daemon, the fencer and every VM
  // process group in the host's VM registry at once; a host in a network
  // namespace also loses its TCP connections, as a machine that is off
  // sends nothing more. Returns how many VM process groups were killed.
  std::size_t kill_host(std::size_t index);
  // Clean shutdown: SIGTERM to the daemon, then to the fencer, each given
  // `grace` before it is killed. Returns whether both stopped on their own.
  bool stop_host(std::size_t index, Duration grace = std::chrono::seconds(30));

  // A hung daemon: SIGSTOP to the host's daemon only, while its fencer and
  // VMs run on, as a daemon stuck in the kernel or under a debugger; the
  // fencer then sees its kicks stop. resume_daemon sends SIGCONT. Each
  // returns false (and does nothing) when the host's daemon is not running.
  bool pause_daemon(std::size_t index);
  bool resume_daemon(std::size_t index);

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

  // kDiskWriter: the disk oracle's verdict over every VM disk and every
  // host's ack log; a disk never written is left out. Meant for when the
  // writers have stopped (hosts stopped or killed), so the disks are final.
  // Throws oracle::OracleInputError or io::IoError for unreadable input.
  oracle::Verdict judge_disks() const;

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
  NbdStorageServer& storage_server(const char* what);
  NetworkPath management_path(std::size_t index) const;
  NetworkPath storage_path(std::size_t index) const;
  void write_storage_images();

  LocalPoolOptions options_;
  std::filesystem::path binary_;
  bool own_work_dir_ = false;
  std::unique_ptr<NamespaceNetwork> network_;
  std::unique_ptr<StorageNetwork> storage_network_;
  std::unique_ptr<NbdStorageServer> storage_server_;
  PoolPlan plan_;
  std::string password_;
  std::vector<HostProcesses> processes_;
  ProcessTable table_;
  bool torn_down_ = false;
};

// The last `lines` lines of a log file, for error messages.
std::string log_tail(const std::filesystem::path& file, std::size_t lines = 20);

}  // namespace poolha::localpool

#include "localpool/local_pool.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "api/password_hash.h"
#include "api/random_uuid.h"
#include "common/tool_runner.h"
#include "daemon/config.h"
#include "fence/tcp_connection_reset.h"
#include "localpool/config_agreement.h"
#include "localpool/host_config_text.h"
#include "localpool/interrupt.h"
#include "localpool/network_namespace_thread.h"
#include "oracle/judge_files.h"
#include "vm/process/process_group.h"
#include "vm/process_registry.h"
#include "vm/qemu/microvm_initramfs.h"
#include "xe/http_connection.h"
#include "xe/xe_main.h"

namespace poolha::localpool {
namespace {

namespace fs = std::filesystem;

// Logins are made many times a second while the demo polls; the password is
// random and never leaves the work directory, so a cheaper hash than the
// production default is enough.
constexpr int kLocalPasswordHashIterations = 10000;

std::string random_hex(std::size_t uuids) {
  std::string text;
  for (std::size_t i = 0; i < uuids; ++i) {
    for (const char c : api::random_uuid()) {
      if (c != '-') text += c;
    }
  }
  return text;
}

void write_private_file(const fs::path& file, const std::string& contents) {
  std::ofstream out(file, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + file.string());
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  out << contents;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

fs::path make_temp_work_dir() {
  std::string pattern = (fs::temp_directory_path() / "poolha-localpool-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return pattern;
}

// tmpfs refuses O_DIRECT; the SR's direct_io setting must say so rather
// than have the daemon fail to open it.
bool directory_supports_direct_io(const fs::path& dir) {
  const fs::path probe = dir / ".direct-io-probe";
  const int fd = ::open(probe.c_str(), O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  std::error_code ignored;
  fs::remove(probe, ignored);
  return fd >= 0;
}

bool port_is_free(const std::string& address, std::uint16_t port, int type) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  const bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return free;
}

// A heartbeat (UDP) and an API (TCP) port free on every host address. Two
// pools on one machine (parallel tests) start their search at different
// places.
std::pair<std::uint16_t, std::uint16_t> choose_loopback_ports(
    const std::vector<std::string>& addresses) {
  const unsigned start = 20000 + (static_cast<unsigned>(::getpid()) * 37u) % 20000u;
  for (unsigned attempt = 0; attempt < 500; ++attempt) {
    const auto heartbeat = static_cast<std::uint16_t>(start + 2 * attempt);
    const auto api = static_cast<std::uint16_t>(heartbeat + 1);
    const bool all_free = std::all_of(addresses.begin(), addresses.end(),
                                      [heartbeat, api](const std::string& address) {
                                        return port_is_free(address, heartbeat, SOCK_DGRAM) &&
                                               port_is_free(address, api, SOCK_STREAM);
                                      });
    if (all_free) return {heartbeat, api};
  }
  throw std::runtime_error("no free heartbeat and API ports on the loopback addresses");
}

fs::path newest_kernel() {
  fs::path best;
  for (const fs::directory_entry& entry : fs::directory_iterator("/boot")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("vmlinuz-", 0) == 0 && (best.empty() || entry.path() > best)) {
      best = entry.path();
    }
  }
  if (best.empty()) throw std::runtime_error("qemu VMs need a kernel: no /boot/vmlinuz-* found");
  return best;
}

// A short unique prefix for namespace and link names (see NamespaceNetwork).
std::string network_prefix() {
  return "ph" + random_hex(1).substr(0, 6);
}

// 10.213.X.0/24 with X from the prefix, so two pools rarely pick the same
// subnet; a subnet already on this machine is skipped.
std::string choose_subnet(const std::string& prefix) {
  const std::string addresses = run_tool({"ip", "-4", "-o", "addr", "show"}).output;
  const unsigned seed = static_cast<unsigned>(std::stoul(prefix.substr(2), nullptr, 16));
  for (unsigned i = 0; i < 250; ++i) {
    const std::string subnet = "10.213." + std::to_string(1 + (seed + i) % 250);
    if (addresses.find(" " + subnet + ".") == std::string::npos) return subnet;
  }
  throw std::runtime_error("no free 10.213.X.0/24 subnet for the pool's bridge");
}

// The storage network is seen only from the namespaces on it, so it cannot
// meet this machine's own addresses; it takes the management subnet's third
// octet for easy reading: 10.213.X (management) and 10.214.X (storage).
std::string storage_subnet_for(const std::string& management_subnet) {
  return "10.214." + management_subnet.substr(management_subnet.rfind('.') + 1);
}

constexpr std::uint16_t kDefaultNbdPort = 10809;
// Interface names inside each host's namespace (NamespaceNetwork,
// StorageNetwork) and the nft table that cuts each path.
constexpr const char* kManagementInterface = "eth0";
constexpr const char* kManagementCutTable = "poolha_cut_management";
constexpr const char* kStorageCutTable = "poolha_cut_storage";

api::HttpRpcTransportConfig transport_config(const std::string& address, int port,
                                             Duration connect_timeout, Duration read_timeout) {
  api::HttpRpcTransportConfig config;
  config.host = address;
  config.port = port;
  config.connect_timeout = connect_timeout;
  config.read_timeout = read_timeout;
  return config;
}

}  // namespace

std::string log_tail(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  if (!in) return "(no log at " + file.string() + ")";
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string text;
  for (const std::string& kept : last) text += "    " + kept + "\n";
  return text.empty() ? "(empty log " + file.string() + ")" : text;
}

ApiSession::ApiSession(const std::string& address, int port, const std::string& user,
                       const std::string& password, Duration read_timeout)
    : transport_(transport_config(address, port, std::chrono::seconds(2), read_timeout)),
      client_(transport_) {
  client_.login(user, password);
}

ApiSession::~ApiSession() {
  client_.logout();
}

LocalPool::LocalPool(LocalPoolOptions options) : options_(std::move(options)) {
  if (options_.hosts < 1 || options_.hosts > 16) {
    throw std::invalid_argument("a local pool has 1..16 hosts, not " +
                                std::to_string(options_.hosts));
  }
  binary_ =
      options_.poolha_binary.empty() ? fs::read_symlink("/proc/self/exe") : options_.poolha_binary;
  if (!fs::exists(binary_)) throw std::invalid_argument("no poolha binary at " + binary_.string());
  const bool nbd_storage = options_.storage == Storage::kNbdNamespace;
  if (nbd_storage) {
    if (options_.isolation != Isolation::kNamespaces) {
      throw std::invalid_argument(
          "NBD storage in a storage namespace needs hosts in namespaces (Isolation::kNamespaces)");
    }
    if (const std::string why = NbdStorageServer::unavailable_reason(); !why.empty()) {
      throw std::runtime_error(why);
    }
  }

  PlanInputs inputs;
  inputs.host_count = options_.hosts;
  inputs.ha_timeout_seconds = options_.ha_timeout_seconds;
  inputs.host_memory_mib = options_.host_memory_mib;
  inputs.vm_kind = options_.vm_kind;
  inputs.poolha_binary = binary_;
  if (options_.vm_kind == VmKind::kQemu) {
    inputs.qemu_kernel = options_.qemu_kernel.empty() ? newest_kernel() : options_.qemu_kernel;
  }
  if (options_.isolation == Isolation::kNamespaces) {
    if (const std::string why = NamespaceNetwork::unavailable_reason(); !why.empty()) {
      throw std::runtime_error("cannot isolate hosts in namespaces: " + why);
    }
    const std::string prefix = network_prefix();
    const std::string subnet = choose_subnet(prefix);
    network_ = std::make_unique<NamespaceNetwork>(prefix, subnet, options_.hosts);
    for (std::size_t i = 0; i < options_.hosts; ++i) {
      inputs.host_addresses.push_back(network_->host_address(i));
      inputs.host_namespaces.push_back(network_->namespace_name(i));
    }
    if (nbd_storage) {
      storage_network_ = std::make_unique<StorageNetwork>(prefix, storage_subnet_for(subnet),
                                                          inputs.host_namespaces);
      inputs.storage = Storage::kNbdNamespace;
      inputs.storage_namespace = storage_network_->server_namespace();
      inputs.storage_server_address = storage_network_->server_address();
      for (std::size_t i = 0; i < options_.hosts; ++i) {
        inputs.host_storage_addresses.push_back(storage_network_->host_address(i));
      }
      inputs.nbd_port = options_.nbd_port ? options_.nbd_port : kDefaultNbdPort;
      for (const VmSpec& vm : options_.vms) inputs.vm_names.push_back(vm.name);
      inputs.vm_disk_mib = options_.vm_disk_mib;
    }
    inputs.isolation_address = network_->gateway_address();
    inputs.heartbeat_port = options_.heartbeat_port ? options_.heartbeat_port : 694;
    inputs.api_port = options_.api_port ? options_.api_port : 80;
  } else {
    for (std::size_t i = 0; i < options_.hosts; ++i) {
      inputs.host_addresses.push_back("127.0.0." + std::to_string(11 + i));
    }
    // Every host reaches the loopback network; the probe must find it up.
    inputs.isolation_address = "127.0.0.1";
    const auto free_ports = choose_loopback_ports(inputs.host_addresses);
    inputs.heartbeat_port = options_.heartbeat_port ? options_.heartbeat_port : free_ports.first;
    inputs.api_port = options_.api_port ? options_.api_port : free_ports.second;
  }

  if (options_.work_dir.empty()) {
    inputs.work_dir = make_temp_work_dir();
    own_work_dir_ = true;
  } else {
    inputs.work_dir = fs::absolute(options_.work_dir);
    own_work_dir_ = !fs::exists(inputs.work_dir);
    fs::create_directories(inputs.work_dir);
  }
  inputs.heartbeat_sr_direct_io = directory_supports_direct_io(inputs.work_dir);
  plan_ = make_pool_plan(inputs);
  processes_.resize(plan_.hosts.size());
  if (nbd_storage) storage_server_ = std::make_unique<NbdStorageServer>(plan_.storage);
}

LocalPool::~LocalPool() {
  try {
    teardown();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "localpool: teardown failed: %s\n", error.what());
  }
}

void LocalPool::say(const std::string& line) {
  if (options_.progress) *options_.progress << line << std::endl;
}

void LocalPool::write_files() {
  fs::create_directories(plan_.work_dir);
  fs::create_directories(plan_.vm_log_dir);
  write_private_file(plan_.secret_file, random_hex(2) + "\n");
  password_ = random_hex(1);
  write_private_file(plan_.password_file, "root\n" + password_ + "\n");
  const std::string hash =
      api::PasswordHash::create(password_, kLocalPasswordHashIterations).encoded();

  std::vector<daemon::DaemonConfig> parsed;
  for (const HostPlan& host : plan_.hosts) {
    fs::create_directories(host.state_dir);
    fs::create_directories(host.run_dir);
    const std::string text = render_host_config(plan_, host.index, hash);
    write_private_file(host.config_file, text);
    // What the daemon will refuse should fail here, naming the key.
    parsed.push_back(daemon::parse_config(text, host.config_file));
  }
  check_configs_agree(parsed);

  if (plan_.storage.kind == Storage::kNbdNamespace) write_storage_images();

  if (plan_.vm_kind == VmKind::kQemu && !fs::exists(plan_.guest_initramfs)) {
    say("building the micro-VM guest " + plan_.guest_initramfs.string());
    vm::MicrovmInitramfsSpec spec;
    spec.output = plan_.guest_initramfs;
    spec.kernel_modules = vm::modules_for_kernel(plan_.qemu_kernel);
    vm::build_microvm_initramfs(spec);
  }
  say("pool files written to " + plan_.work_dir.string() + " (" +
      std::to_string(plan_.hosts.size()) + " hosts, heartbeat SR " + plan_.heartbeat_sr_device() +
      ", direct_io=" + (plan_.heartbeat_sr_direct_io ? "true" : "false") + ")");
}

void LocalPool::write_storage_images() {
  fs::create_directories(plan_.storage.dir);
  for (const NbdExport& entry : plan_.nbd_exports()) {
    if (fs::exists(entry.image)) continue;
    std::ofstream(entry.image).close();
    // Sparse: an image costs only what is written to it.
    fs::resize_file(entry.image, entry.size_bytes);
  }
}

NbdStorageServer& LocalPool::storage_server(const char* what) {
  if (!storage_server_) {
    throw std::logic_error(
        std::string(what) +
        ": the pool's storage is a local file, not NBD (Storage::kNbdNamespace)");
  }
  return *storage_server_;
}

void LocalPool::start_storage_server() {
  NbdStorageServer& server = storage_server("start_storage_server");
  server.start();
  say("NBD storage server started: pid " + std::to_string(server.pid().value_or(0)) + ", " +
      plan_.storage.server_address + ":" + std::to_string(plan_.storage.server_port) + " (" +
      std::to_string(plan_.nbd_exports().size()) + " exports)");
}

void LocalPool::stop_storage_server() {
  storage_server("stop_storage_server").stop();
  say("NBD storage server stopped");
}

void LocalPool::pause_storage_server() {
  storage_server("pause_storage_server").pause();
  say("NBD storage server paused");
}

void LocalPool::resume_storage_server() {
  storage_server("resume_storage_server").resume();
  say("NBD storage server resumed");
}

bool LocalPool::storage_server_running() {
  return storage_server_ && storage_server_->running();
}

NetworkPath LocalPool::management_path(std::size_t index) const {
  const HostPlan& host = plan_.hosts.at(index);
  if (host.network_namespace.empty()) {
    throw std::logic_error(host.name +
                           ": cutting the management network needs hosts in namespaces");
  }
  return NetworkPath{host.network_namespace, kManagementInterface, kManagementCutTable};
}

NetworkPath LocalPool::storage_path(std::size_t index) const {
  const HostPlan& host = plan_.hosts.at(index);
  if (plan_.storage.kind != Storage::kNbdNamespace) {
    throw std::logic_error(host.name +
                           ": cutting the storage path needs NBD storage (Storage::kNbdNamespace)");
  }
  return NetworkPath{host.network_namespace, StorageNetwork::kHostInterface, kStorageCutTable};
}

void LocalPool::cut_management(std::size_t index) {
  cut_network_path(management_path(index));
  say(plan_.hosts[index].name + ": management network cut");
}

void LocalPool::restore_management(std::size_t index) {
  restore_network_path(management_path(index));
  say(plan_.hosts[index].name + ": management network restored");
}

bool LocalPool::management_cut(std::size_t index) const {
  return network_path_is_cut(management_path(index));
}

void LocalPool::cut_storage(std::size_t index) {
  cut_network_path(storage_path(index));
  say(plan_.hosts[index].name + ": storage path cut");
}

void LocalPool::restore_storage(std::size_t index) {
  restore_network_path(storage_path(index));
  say(plan_.hosts[index].name + ": storage path restored");
}

bool LocalPool::storage_cut(std::size_t index) const {
  return network_path_is_cut(storage_path(index));
}

void LocalPool::create() {
  write_files();
  if (storage_server_ && !storage_server_->running()) start_storage_server();
  std::vector<std::string> argv = {binary_.string(), "pool-create", "--config",
                                   plan_.hosts.front().config_file.string()};
  for (const VmSpec& vm : options_.vms) {
    std::string spec = "name=" + vm.name + ",memory-mib=" + std::to_string(vm.memory_mib);
    if (!vm.priority.empty()) spec += ",priority=" + vm.priority;
    if (vm.order) spec += ",order=" + std::to_string(*vm.order);
    argv.push_back("--vm");
    argv.push_back(spec);
  }
  // As on real hosts, pool-create runs on a host: in namespaces, it reaches
  // the heartbeat SR over host-1's own storage path.
  argv = host_command(0, std::move(argv));
  say("creating the pool database: " + command_text(argv));
  run_tool_checked(argv);
}

std::vector<std::string> LocalPool::host_command(std::size_t index,
                                                 std::vector<std::string> argv) const {
  if (!network_) return argv;
  std::vector<std::string> full = network_->exec_prefix(index);
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

void LocalPool::start_host(std::size_t index) {
  const HostPlan& host = plan_.hosts.at(index);
  HostProcesses& processes = processes_.at(index);
  if (host_running(index)) throw std::logic_error(host.name + " is already running");
  // Stop whichever half is left of a host that failed, before the reboot.
  for (std::optional<pid_t>* pid : {&processes.daemon, &processes.fencer}) {
    if (*pid) table_.kill(**pid);
    pid->reset();
  }
  fs::remove_all(host.run_dir);
  fs::create_directories(host.vm_registry);

  std::vector<std::string> fencer_argv{binary_.string(), "fencer",
                                       "--socket",       host.fencer_socket.string(),
                                       "--state-dir",    host.state_dir.string(),
                                       "--vm-registry",  host.vm_registry.string(),
                                       "--host-name",    host.name};
  // A host in its own namespace resets like a machine when fenced; on the
  // shared loopback that would cut every TCP connection of this machine.
  if (network_) fencer_argv.push_back("--reset-tcp-on-fence");
  processes.fencer = table_.start(ProcessSpec{
      host.name + " fencer", host_command(index, std::move(fencer_argv)), host.fencer_log});
  const pid_t fencer = *processes.fencer;
  wait_until(
      [&] {
        if (!table_.running(fencer)) {
          throw std::runtime_error(host.name + " fencer exited (" +
                                   table_.exit_description(fencer) + "):\n" +
                                   log_tail(host.fencer_log));
        }
        return fs::is_socket(host.fencer_socket);
      },
      std::chrono::seconds(10), host.name + " fencer socket " + host.fencer_socket.string());

  processes.daemon = table_.start(
      ProcessSpec{host.name + " daemon",
                  host_command(index, {binary_.string(), "daemon", "--config",
                                       host.config_file.string(), "--log-level", "info"}),
                  host.daemon_log});
  say(host.name + " started: fencer pid " + std::to_string(fencer) + ", daemon pid " +
      std::to_string(*processes.daemon) + " (" + host.address + ")");
}

oracle::Verdict LocalPool::judge_disks() const {
  if (plan_.vm_kind != VmKind::kDiskWriter) {
    throw std::logic_error("only a pool of disk-writer VMs has disks to judge");
  }
  std::vector<oracle::DiskToJudge> disks;
  for (const auto& [name, disk] : plan_.storage.vm_disks)
    disks.push_back({"", disk.image.string()});
  std::vector<fs::path> ack_logs;
  for (const HostPlan& host : plan_.hosts) {
    if (fs::exists(host.ack_log)) ack_logs.push_back(host.ack_log);
  }
  return oracle::judge_files(disks, ack_logs);
}

std::size_t LocalPool::kill_registered_vms(const fs::path& registry_dir) {
  if (!fs::exists(registry_dir)) return 0;
  const vm::VmProcessRegistry registry(registry_dir);
  std::size_t killed = 0;
  for (const auto& entry : registry.list()) {
    vm::signal_group(entry.second, SIGKILL);
    ++killed;
  }
  return killed;
}

std::size_t LocalPool::kill_host(std::size_t index) {
  const HostPlan& host = plan_.hosts.at(index);
  HostProcesses& processes = processes_.at(index);
  std::vector<pid_t> own;
  for (const std::optional<pid_t>& pid : {processes.daemon, processes.fencer}) {
    if (pid && table_.running(*pid)) own.push_back(*pid);
  }
  std::map<std::string, pid_t> vms;
  if (fs::exists(host.vm_registry)) vms = vm::VmProcessRegistry(host.vm_registry).list();
  // Freeze everything first, so no process of the host sees another one die
  // and reacts (the fencer would fence, the daemon would report VM exits):
  // power loss stops them all at the same instant.
  for (const pid_t pid : own) table_.signal(pid, SIGSTOP);
  for (const auto& entry : vms) vm::signal_group(entry.second, SIGSTOP);
  for (const auto& entry : vms) vm::signal_group(entry.second, SIGKILL);
  for (const pid_t pid : own) table_.kill(pid);
  // Those groups are gone: forget them, so that teardown never signals a
  // process group id the kernel has since handed to someone else.
  if (!vms.empty()) {
    vm::VmProcessRegistry registry(host.vm_registry);
    for (const auto& entry : vms) registry.erase(entry.first);
  }
  processes.daemon.reset();
  processes.fencer.reset();
  say(host.name + " lost power: daemon, fencer and " + std::to_string(vms.size()) +
      " VM process group(s) killed");
  // The machine is off: nothing its kernel queued may reach the storage or
  // a peer once a cut path is back.
  if (network_) {
    const fence::TcpResetResult reset = run_in_network_namespace(
        host.network_namespace, [] { return fence::reset_tcp_connections(); });
    if (!reset.ok) {
      throw std::runtime_error("cannot reset " + host.name + "'s TCP connections: " + reset.error);
    }
    say(host.name + ": " + std::to_string(reset.connections) +
        " TCP connection(s) reset (the machine is off)");
  }
  return vms.size();
}

bool LocalPool::stop_host(std::size_t index, Duration grace) {
  const HostPlan& host = plan_.hosts.at(index);
  HostProcesses& processes = processes_.at(index);
  bool clean = true;
  for (std::optional<pid_t>* pid : {&processes.daemon, &processes.fencer}) {
    if (*pid) clean = table_.terminate(**pid, grace) && clean;
    pid->reset();
  }
  say(host.name + (clean ? " stopped" : " stopped (had to be killed)"));
  return clean;
}

bool LocalPool::pause_daemon(std::size_t index) {
  const std::optional<pid_t> daemon = processes_.at(index).daemon;
  if (!daemon || !table_.running(*daemon)) return false;
  table_.signal(*daemon, SIGSTOP);
  say(plan_.hosts[index].name + ": daemon paused (SIGSTOP)");
  return true;
}

bool LocalPool::resume_daemon(std::size_t index) {
  const std::optional<pid_t> daemon = processes_.at(index).daemon;
  if (!daemon || !table_.running(*daemon)) return false;
  table_.signal(*daemon, SIGCONT);
  say(plan_.hosts[index].name + ": daemon resumed (SIGCONT)");
  return true;
}

bool LocalPool::host_running(std::size_t index) {
  const HostProcesses& processes = processes_.at(index);
  return processes.daemon && processes.fencer && table_.running(*processes.daemon) &&
         table_.running(*processes.fencer);
}

std::string LocalPool::host_failure(std::size_t index) {
  const HostPlan& host = plan_.hosts.at(index);
  const HostProcesses& processes = processes_.at(index);
  if (processes.daemon && !table_.running(*processes.daemon)) {
    return host.name + " daemon exited (" + table_.exit_description(*processes.daemon) +
           "); end of " + host.daemon_log.string() + ":\n" + log_tail(host.daemon_log);
  }
  if (processes.fencer && !table_.running(*processes.fencer)) {
    return host.name + " fencer exited (" + table_.exit_description(*processes.fencer) +
           "); end of " + host.fencer_log.string() + ":\n" + log_tail(host.fencer_log);
  }
  return "";
}

std::vector<pid_t> LocalPool::host_pids(std::size_t index) {
  std::vector<pid_t> pids;
  const HostProcesses& processes = processes_.at(index);
  for (const std::optional<pid_t>& pid : {processes.fencer, processes.daemon}) {
    if (pid && table_.running(*pid)) pids.push_back(*pid);
  }
  return pids;
}

void LocalPool::wait_until(const std::function<bool()>& done, Duration timeout,
                           const std::string& what, Duration interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    throw_if_interrupted();
    if (done()) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw WaitTimeout(
          "timed out after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s waiting for " + what);
    }
    std::this_thread::sleep_for(interval);
  }
}

void LocalPool::wait_for_api(std::size_t index, Duration timeout) {
  const HostPlan& host = plan_.hosts.at(index);
  api::HttpRpcTransport transport(transport_config(
      host.address, host.api_port, std::chrono::seconds(1), std::chrono::seconds(5)));
  wait_until(
      [&] {
        if (const std::string failure = host_failure(index); !failure.empty()) {
          throw std::runtime_error(failure);
        }
        try {
          transport.call("system.listMethods", nlohmann::json::array());
          return true;
        } catch (const api::TransportError&) {
          return false;
        }
      },
      timeout, host.name + " API at http://" + host.address + ":" + std::to_string(host.api_port));
}

XeResult LocalPool::xe(std::size_t index, const std::vector<std::string>& args) {
  const HostPlan& host = plan_.hosts.at(index);
  std::vector<std::string> full = {"-s", host.address, "-p",  std::to_string(host.api_port),
                                   "-u", "root",       "-pw", password_};
  full.insert(full.end(), args.begin(), args.end());
  // The caller's ~/.xe and XE_EXTRA_ARGS must not change what the pool is asked.
  xe::XeEnvironment isolated_environment{
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; },
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; }};
  std::ostringstream out;
  std::ostringstream err;
  XeResult result;
  result.exit_code = xe::run_xe(full, isolated_environment, xe::connect_over_http, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

std::string LocalPool::xe_checked(std::size_t index, const std::vector<std::string>& args) {
  XeResult result = xe(index, args);
  if (result.exit_code != 0) {
    throw std::runtime_error("xe " + command_text(args) + " (on " + plan_.hosts.at(index).name +
                             ") failed: " + result.err);
  }
  while (!result.out.empty() && result.out.back() == '\n') result.out.pop_back();
  return result.out;
}

std::unique_ptr<ApiSession> LocalPool::api(std::size_t index, Duration read_timeout) {
  const HostPlan& host = plan_.hosts.at(index);
  return std::make_unique<ApiSession>(host.address, host.api_port, "root", password_, read_timeout);
}

void LocalPool::teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  // Daemons and fencers first, so nothing restarts a VM killed below.
  table_.kill_all();
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    processes_[i] = HostProcesses{};
    std::size_t killed = 0;
    try {
      killed = kill_registered_vms(plan_.hosts[i].vm_registry);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "localpool: %s: cannot kill its VMs: %s\n", plan_.hosts[i].name.c_str(),
                   error.what());
    }
    if (killed > 0) say(plan_.hosts[i].name + ": " + std::to_string(killed) + " VM(s) killed");
  }
  if (storage_server_) storage_server_->stop();
  if (storage_network_) storage_network_->remove();
  if (network_) network_->remove();
  if (options_.keep_work_dir) {
    say("work directory kept: " + plan_.work_dir.string());
  } else if (own_work_dir_) {
    std::error_code error;
    fs::remove_all(plan_.work_dir, error);
    if (error) {
      std::fprintf(stderr, "localpool: cannot remove %s: %s\n", plan_.work_dir.c_str(),
                   error.message().c_str());
    }
  }
}

}  // namespace poolha::localpool

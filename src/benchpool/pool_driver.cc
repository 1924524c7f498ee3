// Bringing a product-shape pool to HA enabled (pool_driver.h).
#include "benchpool/pool_driver.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "localpool/interrupt.h"
#include "localpool/namespace_network.h"
#include "localpool/nbd_storage_server.h"

namespace poolha::benchpool {

using localpool::LocalPool;
using localpool::PoolSnapshot;

std::string namespace_pool_unavailable() {
  for (const std::string& why : {localpool::NamespaceNetwork::unavailable_reason(),
                                 localpool::NbdStorageServer::unavailable_reason()}) {
    if (!why.empty()) return why;
  }
  return "";
}

localpool::LocalPoolOptions namespace_pool_options(std::size_t hosts, std::size_t vms,
                                                   int timeout_seconds, std::uint64_t vm_disk_mib,
                                                   const std::filesystem::path& kept_work_dir) {
  localpool::LocalPoolOptions options;
  options.work_dir = kept_work_dir;
  options.keep_work_dir = !kept_work_dir.empty();
  options.hosts = hosts;
  options.ha_timeout_seconds = timeout_seconds;
  options.isolation = localpool::Isolation::kNamespaces;
  options.storage = localpool::Storage::kNbdNamespace;
  options.vm_kind = localpool::VmKind::kDiskWriter;
  options.vm_disk_mib = vm_disk_mib;
  for (std::size_t i = 0; i < vms; ++i) {
    localpool::VmSpec vm;
    vm.name = "vm-" + std::to_string(i + 1);
    vm.memory_mib = 64;
    vm.priority = "restart";
    options.vms.push_back(vm);
  }
  return options;
}

PoolDriver::PoolDriver(const localpool::LocalPoolOptions& options, std::ostream* progress)
    : progress_(progress), pool_(std::make_unique<LocalPool>(options)) {
  for (const localpool::VmSpec& vm : options.vms) vm_names_.push_back(vm.name);
}

std::size_t PoolDriver::index_of(const std::string& host_name) const {
  for (std::size_t i = 0; i < pool_->host_count(); ++i) {
    if (pool_->host(i).name == host_name) return i;
  }
  throw std::runtime_error("no host named '" + host_name + "' in the pool");
}

void PoolDriver::say(const std::string& line) {
  if (progress_ != nullptr) *progress_ << line << std::endl;
}

void PoolDriver::create_and_start() {
  pool_->create();
  for (std::size_t i = 0; i < host_count(); ++i) pool_->start_host(i);
  for (std::size_t i = 0; i < host_count(); ++i) pool_->wait_for_api(i, std::chrono::seconds(60));
  vm_uuids_.clear();
  for (const std::string& name : vm_names_) {
    const std::string uuid = pool_->xe_checked(0, {"vm-list", "name-label=" + name, "--minimal"});
    if (uuid.empty() || uuid.find(',') != std::string::npos) {
      throw std::runtime_error("xe vm-list name-label=" + name + " gave '" + uuid + "'");
    }
    vm_uuids_.push_back(uuid);
  }
}

void PoolDriver::enable_ha() {
  const std::string sr = pool_->xe_checked(0, {"sr-list", "name-label=MGMT-HA", "--minimal"});
  if (sr.empty()) throw std::runtime_error("xe sr-list name-label=MGMT-HA found no SR");
  const int t = pool_->plan().ha_timeout_seconds;
  pool_->xe_checked(
      0, {"pool-ha-enable", "heartbeat-sr-uuids=" + sr, "ha-config:timeout=" + std::to_string(t)});
  wait_agreed(std::chrono::seconds(60 + 6 * t), "HA enabled: every host live, one master");
}

std::size_t PoolDriver::wait_agreed(Duration timeout, const std::string& what) {
  std::vector<std::size_t> everyone;
  for (std::size_t i = 0; i < host_count(); ++i) everyone.push_back(i);
  std::string master;
  LocalPool::wait_until(
      [&] {
        require_running(everyone);
        master.clear();
        for (const std::size_t host : everyone) {
          const std::optional<PoolSnapshot> seen = snapshot(host);
          if (!seen || seen->master.empty() || seen->hosts.size() != host_count()) return false;
          for (const auto& entry : seen->hosts) {
            if (!entry.second.live) return false;
          }
          if (!master.empty() && master != seen->master) return false;
          master = seen->master;
        }
        return true;
      },
      timeout, what, std::chrono::milliseconds(250));
  return index_of(master);
}

std::optional<PoolSnapshot> PoolDriver::snapshot(std::size_t host) {
  try {
    auto& session = sessions_[host];
    if (!session) session = pool_->api(host, std::chrono::seconds(3));
    return localpool::read_snapshot(session->client());
  } catch (const std::exception&) {
    sessions_.erase(host);
    return std::nullopt;
  }
}

void PoolDriver::xe_retrying(std::size_t via, const std::vector<std::string>& args,
                             Duration patience) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  for (;;) {
    localpool::throw_if_interrupted();
    const localpool::XeResult result = pool_->xe(via, args);
    if (result.exit_code == 0) return;
    std::string command;
    for (const std::string& arg : args) command += " " + arg;
    if (result.err.find("could not be contacted") == std::string::npos ||
        std::chrono::steady_clock::now() > give_up) {
      throw std::runtime_error("xe" + command + " (on " + host_name(via) +
                               ") failed: " + result.err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void PoolDriver::require_running(const std::vector<std::size_t>& hosts) {
  for (const std::size_t host : hosts) {
    if (const std::string failure = pool_->host_failure(host); !failure.empty()) {
      throw std::runtime_error(failure);
    }
  }
}

}  // namespace poolha::benchpool

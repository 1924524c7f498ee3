// What both pool benchmarks do to a pool of real daemons before they
// measure: create it in the product's shape (hosts in network namespaces,
// heartbeat SR and VM disks over NBD, disk-writer VMs), boot every host,
// enable HA, wait until every host agrees on the liveset and the master,
// and start VMs on chosen hosts through the master's xe. Progress goes to
// the given stream so a long run shows where it is.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/time.h"
#include "localpool/local_pool.h"
#include "localpool/pool_snapshot.h"

namespace poolha::benchpool {

// Empty when this machine can run the product's shape; otherwise why not
// (not root, no `ip netns`, no NBD server, ...).
std::string namespace_pool_unavailable();

// The options of a product-shape pool of `hosts` hosts with `vms` protected
// disk-writer VMs (64 MiB each) named vm-1..vm-N. A non-empty `kept_work_dir`
// holds the pool's configurations and logs and stays after teardown;
// otherwise a temporary directory is used and removed.
localpool::LocalPoolOptions namespace_pool_options(std::size_t hosts, std::size_t vms,
                                                   int timeout_seconds, std::uint64_t vm_disk_mib,
                                                   const std::filesystem::path& kept_work_dir);

class PoolDriver {
 public:
  // `progress` receives this driver's lines (the pool's own progress lines
  // go where the options say).
  PoolDriver(const localpool::LocalPoolOptions& options, std::ostream* progress);

  localpool::LocalPool& pool() { return *pool_; }
  std::size_t host_count() const { return pool_->host_count(); }
  const std::string& host_name(std::size_t index) const { return pool_->host(index).name; }
  std::size_t index_of(const std::string& host_name) const;
  // The VMs' uuids, in the options' order (known after create_and_start).
  const std::vector<std::string>& vm_uuids() const { return vm_uuids_; }

  // Writes the pool database, boots every host, waits for every API, and
  // learns the VMs' uuids.
  void create_and_start();
  // `xe pool-ha-enable` with T, then wait_agreed.
  void enable_ha();
  // Waits until every running host answers and reports every host of the
  // pool live and the same master; returns the master's index.
  std::size_t wait_agreed(Duration timeout, const std::string& what);

  // A snapshot through the host's API, with a session kept per host;
  // nothing when the host does not answer.
  std::optional<localpool::PoolSnapshot> snapshot(std::size_t host);
  void forget_session(std::size_t host) { sessions_.erase(host); }

  // `xe ARGS` through host `via`. Right after HA enable or a rejoin the
  // master may not have heard from a host's agent yet and answers that the
  // host could not be contacted: that is retried for `patience`.
  void xe_retrying(std::size_t via, const std::vector<std::string>& args, Duration patience);

  // Throws when any host in `hosts` has a process that exited.
  void require_running(const std::vector<std::size_t>& hosts);

  void say(const std::string& line);

 private:
  std::ostream* progress_;
  std::unique_ptr<localpool::LocalPool> pool_;
  std::map<std::size_t, std::unique_ptr<localpool::ApiSession>> sessions_;
  std::vector<std::string> vm_names_;
  std::vector<std::string> vm_uuids_;
};

}  // namespace poolha::benchpool

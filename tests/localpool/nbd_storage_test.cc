// NBD storage of a pool in namespaces: the plan names the heartbeat SR and
// each VM's disk by NBD URI; the storage network and its namespace are made
// and leave nothing behind; every host reads and writes the exports over its
// own storage path; cutting one host's storage or management path stops only
// that host's traffic on only that path; a restarted server serves the same
// data, a paused one answers once resumed; and a three-host pool forms and
// enables HA on the NBD heartbeat SR.
// Everything but the plan checks needs root (and skips without it).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/units.h"
#include "daemon/config.h"
#include "daemon/store/heartbeat_sr_layout.h"
#include "io/io_error.h"
#include "io/nbd_block_device.h"
#include "localpool/host_config_text.h"
#include "localpool/local_pool.h"
#include "localpool/namespace_network.h"
#include "localpool/nbd_storage_server.h"
#include "localpool/network_namespace_thread.h"
#include "localpool/network_path_cut.h"
#include "localpool/pool_snapshot.h"
#include "localpool/storage_network.h"
#include "common/tool_runner.h"
#include "oracle/verdict_report.h"
#include "test_support.h"

namespace poolha::localpool {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

PlanInputs nbd_plan_inputs() {
  PlanInputs inputs;
  inputs.work_dir = "/srv/pool";
  inputs.host_count = 2;
  inputs.host_addresses = {"10.213.9.11", "10.213.9.12"};
  inputs.host_namespaces = {"ph1-host-1", "ph1-host-2"};
  inputs.isolation_address = "10.213.9.1";
  inputs.storage = Storage::kNbdNamespace;
  inputs.storage_namespace = "ph1-storage";
  inputs.storage_server_address = "10.214.9.1";
  inputs.host_storage_addresses = {"10.214.9.11", "10.214.9.12"};
  inputs.vm_names = {"vm-1", "vm-2"};
  inputs.vm_disk_mib = 4;
  return inputs;
}

TEST(NbdStoragePlan, HostsOpenTheSrAndEachVmHasADiskByNbdUri) {
  const PoolPlan plan = make_pool_plan(nbd_plan_inputs());
  EXPECT_EQ(plan.heartbeat_sr_device(), "nbd://10.214.9.1:10809/heartbeat-sr");
  EXPECT_EQ(plan.vm_disk_uri("vm-2"), "nbd://10.214.9.1:10809/disk-vm-2");
  EXPECT_THROW(plan.vm_disk_uri("vm-3"), std::invalid_argument);
  EXPECT_EQ(plan.storage.vm_disks.at("vm-1").size_bytes, 4 * kMiB);
  EXPECT_EQ(plan.storage.vm_disks.at("vm-1").image, "/srv/pool/storage/disk-vm-1.img");
  EXPECT_EQ(plan.heartbeat_sr, "/srv/pool/storage/heartbeat-sr.img");
  EXPECT_EQ(plan.storage.heartbeat_sr.size_bytes,
            daemon::heartbeat_sr_layout(2, plan.metadata_area_mib).device_size());
  EXPECT_EQ(plan.nbd_exports().size(), 3u);
  EXPECT_EQ(plan.hosts[1].storage_address, "10.214.9.12");
  EXPECT_EQ(plan.hosts[1].network_namespace, "ph1-host-2");

  const daemon::DaemonConfig config =
      daemon::parse_config(render_host_config(plan, 1, "pbkdf2-sha256$1000$00$00"), "h.toml");
  EXPECT_EQ(config.heartbeat_sr.device, "nbd://10.214.9.1:10809/heartbeat-sr");
  EXPECT_EQ(config.heartbeat_sr.metadata_area_mib, plan.metadata_area_mib);
}

TEST(NbdStoragePlan, RefusesWhatCannotBeServed) {
  PlanInputs bad_name = nbd_plan_inputs();
  bad_name.vm_names = {"vm 1"};
  EXPECT_THROW(make_pool_plan(bad_name), std::invalid_argument);
  PlanInputs twice = nbd_plan_inputs();
  twice.vm_names = {"vm-1", "vm-1"};
  EXPECT_THROW(make_pool_plan(twice), std::invalid_argument);
  PlanInputs no_server = nbd_plan_inputs();
  no_server.storage_server_address.clear();
  EXPECT_THROW(make_pool_plan(no_server), std::invalid_argument);

  PlanInputs file = nbd_plan_inputs();
  file.storage = Storage::kLocalFile;
  const PoolPlan plan = make_pool_plan(file);
  EXPECT_EQ(plan.heartbeat_sr_device(), "/srv/pool/heartbeat-sr.img");
  EXPECT_THROW(plan.vm_disk_uri("vm-1"), std::invalid_argument) << "no disks on file storage";
  EXPECT_TRUE(plan.nbd_exports().empty());
}

TEST(NbdStoragePlan, NbdStorageNeedsNamespaces) {
  LocalPoolOptions options;
  options.hosts = 1;
  options.poolha_binary = "/bin/sh";
  options.storage = Storage::kNbdNamespace;
  EXPECT_THROW(LocalPool pool(options), std::invalid_argument);
}

// --- root from here on -----------------------------------------------------

std::unique_ptr<io::NbdBlockDevice> nbd_from(const std::string& network_namespace,
                                             const std::string& uri) {
  return run_in_network_namespace(network_namespace,
                                  [&uri] { return std::make_unique<io::NbdBlockDevice>(uri); });
}

std::vector<std::uint8_t> block_of(std::uint8_t seed) {
  std::vector<std::uint8_t> block(io::kBlockAlignment);
  for (std::size_t i = 0; i < block.size(); ++i) {
    block[i] = static_cast<std::uint8_t>(seed + i * 7);
  }
  return block;
}

// A TCP connection attempt from the calling thread's namespace that gives up
// after `timeout` (a dropped SYN would otherwise be retried for minutes).
bool tcp_connects_within(const std::string& address, std::uint16_t port, milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &peer.sin_addr);
  bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) == 0;
  if (!connected && errno == EINPROGRESS) {
    pollfd waiting{fd, POLLOUT, 0};
    if (::poll(&waiting, 1, static_cast<int>(timeout.count())) == 1) {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      connected = error == 0;
    }
  }
  ::close(fd);
  return connected;
}

// A listening TCP socket on `address` (port chosen by the kernel) in the
// calling thread's namespace; connections wait in its backlog.
struct TcpListener {
  int fd = -1;
  std::uint16_t port = 0;
  explicit TcpListener(const std::string& address) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &local.sin_addr);
    socklen_t length = sizeof local;
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
        ::listen(fd, 16) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      throw std::system_error(errno, std::generic_category(), "listen on " + address);
    }
    port = ntohs(local.sin_port);
  }
  ~TcpListener() { ::close(fd); }
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
};

class NbdStoragePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = NamespaceNetwork::unavailable_reason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    if (const std::string why = NbdStorageServer::unavailable_reason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }

  // A pool whose files are written and whose NBD server runs; `/bin/sh`
  // stands in for poolha, since no daemon is started.
  std::unique_ptr<LocalPool> serving_pool(std::size_t hosts) {
    LocalPoolOptions options;
    options.hosts = hosts;
    options.isolation = Isolation::kNamespaces;
    options.storage = Storage::kNbdNamespace;
    options.poolha_binary = "/bin/sh";
    options.vms = {VmSpec{"vm-1", 64, "restart", std::nullopt}};
    options.vm_disk_mib = 4;
    auto pool = std::make_unique<LocalPool>(options);
    pool->write_files();
    pool->start_storage_server();
    return pool;
  }

  // The prefix every name of the pool's networks starts with.
  static std::string prefix_of(const LocalPool& pool) {
    const std::string& ns = pool.host(0).network_namespace;
    return ns.substr(0, ns.find("-host-"));
  }
};

TEST_F(NbdStoragePoolTest, StorageNetworkIsBuiltAndRemovedWithoutTrace) {
  auto pool = serving_pool(2);
  const std::string prefix = prefix_of(*pool);
  const PoolPlan& plan = pool->plan();
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string eth1 = run_tool_checked(
        {"ip", "-n", pool->host(i).network_namespace, "-4", "addr", "show", "eth1"});
    EXPECT_NE(eth1.find(pool->host(i).storage_address + "/24"), std::string::npos) << eth1;
    const std::string eth0 = run_tool_checked(
        {"ip", "-n", pool->host(i).network_namespace, "-4", "addr", "show", "eth0"});
    EXPECT_NE(eth0.find(pool->host(i).address + "/24"), std::string::npos)
        << "the management network is unchanged: " << eth0;
  }
  EXPECT_NE(run_tool_checked({"ip", "-n", plan.storage.server_namespace, "-4", "addr", "show"})
                .find(plan.storage.server_address + "/24"),
            std::string::npos);
  EXPECT_EQ(plan.storage.server_namespace, prefix + "-storage");
  EXPECT_TRUE(tool_succeeds({"ip", "link", "show", prefix + "sbr"}));
  EXPECT_TRUE(pool->storage_server_running());

  pool->teardown();
  EXPECT_FALSE(pool->storage_server_running());
  EXPECT_FALSE(NamespaceNetwork::anything_left(prefix));
}

TEST_F(NbdStoragePoolTest, AStorageNetworkFailingMidwayLeavesNothing) {
  const std::string prefix = "ps" + std::to_string(::getpid() % 1000000);
  NamespaceNetwork hosts(prefix, "10.213.253", 1);
  // The second host's namespace does not exist: the build fails after the
  // bridge, the storage namespace and the first host's veth were made.
  EXPECT_THROW(StorageNetwork(prefix, "10.214.253", {hosts.namespace_name(0), prefix + "-nohost"}),
               std::runtime_error);
  EXPECT_FALSE(tool_succeeds({"ip", "link", "show", prefix + "sbr"}));
  EXPECT_FALSE(tool_succeeds({"ip", "netns", "pids", prefix + "-storage"}));
  EXPECT_EQ(run_tool_checked({"ip", "-n", hosts.namespace_name(0), "link", "show"}).find("eth1"),
            std::string::npos);
  hosts.remove();
  EXPECT_FALSE(NamespaceNetwork::anything_left(prefix));
}

TEST_F(NbdStoragePoolTest, EveryHostReadsWhatAnotherWrote) {
  auto pool = serving_pool(2);
  const PoolPlan& plan = pool->plan();
  const std::string disk = plan.vm_disk_uri("vm-1");
  auto writer = nbd_from(pool->host(0).network_namespace, disk);
  auto reader = nbd_from(pool->host(1).network_namespace, disk);
  EXPECT_EQ(writer->size(), 4 * kMiB);
  writer->write(8192, block_of(3));
  EXPECT_EQ(reader->read(8192, io::kBlockAlignment), block_of(3));

  auto sr = nbd_from(pool->host(1).network_namespace, plan.heartbeat_sr_device());
  EXPECT_EQ(sr->size(), plan.storage.heartbeat_sr.size_bytes);
  sr->write(0, block_of(9));
  EXPECT_EQ(nbd_from(pool->host(0).network_namespace, plan.heartbeat_sr_device())
                ->read(0, io::kBlockAlignment),
            block_of(9));
}

TEST_F(NbdStoragePoolTest, CutPathsStopOnlyThatHostOnThatNetwork) {
  if (const std::string why = path_cut_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  auto pool = serving_pool(2);
  const std::string sr_uri = pool->plan().heartbeat_sr_device();
  const std::string& ns1 = pool->host(0).network_namespace;
  const std::string& ns2 = pool->host(1).network_namespace;
  auto cut_host = nbd_from(ns1, sr_uri);
  auto other_host = nbd_from(ns2, sr_uri);
  other_host->write(0, block_of(5));

  pool->cut_storage(0);
  EXPECT_TRUE(pool->storage_cut(0));
  EXPECT_FALSE(pool->storage_cut(1));
  EXPECT_FALSE(pool->management_cut(0));
  pool->cut_storage(0);  // twice is harmless
  std::future<std::vector<std::uint8_t>> pending = std::async(
      std::launch::async, [&cut_host] { return cut_host->read(0, io::kBlockAlignment); });
  EXPECT_EQ(pending.wait_for(seconds(2)), std::future_status::timeout)
      << "a read over a cut storage path completed";
  EXPECT_EQ(other_host->read(0, io::kBlockAlignment), block_of(5)) << "host-2 still reads";
  EXPECT_FALSE(run_in_network_namespace(ns1, [&pool] {
    return tcp_connects_within(pool->plan().storage.server_address,
                               pool->plan().storage.server_port, milliseconds(1000));
  })) << "host-1 cannot reach the server at all";

  pool->restore_storage(0);
  EXPECT_FALSE(pool->storage_cut(0));
  // The dropped request is retransmitted once the path is back: the open
  // connection carries on, as after a transient outage.
  if (pending.wait_for(seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "the read did not complete after the storage path was restored";
    pool->stop_storage_server();  // breaks the connection, so the read returns
  }
  try {
    EXPECT_EQ(pending.get(), block_of(5));
  } catch (const io::IoError& error) {
    ADD_FAILURE() << "the read failed after the path was restored: " << error.what();
  }

  // Management is cut on its own; storage stays.
  const std::string management_address = pool->host(0).address;
  auto listener = run_in_network_namespace(
      ns1, [&management_address] { return std::make_unique<TcpListener>(management_address); });
  const std::uint16_t port = listener->port;
  auto reach_host1 = [&] {
    return run_in_network_namespace(ns2, [&management_address, port] {
      return tcp_connects_within(management_address, port, milliseconds(1000));
    });
  };
  EXPECT_TRUE(reach_host1());
  pool->cut_management(0);
  EXPECT_TRUE(pool->management_cut(0));
  EXPECT_FALSE(pool->storage_cut(0));
  EXPECT_FALSE(reach_host1()) << "host-2 reaches host-1 over a cut management network";
  EXPECT_EQ(nbd_from(ns1, sr_uri)->read(0, io::kBlockAlignment), block_of(5))
      << "host-1's storage path works while its management network is cut";
  pool->restore_management(0);
  EXPECT_TRUE(reach_host1());
}

TEST_F(NbdStoragePoolTest, ARestartedServerServesTheSameData) {
  auto pool = serving_pool(2);
  const std::string disk = pool->plan().vm_disk_uri("vm-1");
  auto before = nbd_from(pool->host(0).network_namespace, disk);
  before->write(12288, block_of(42));

  pool->stop_storage_server();
  EXPECT_FALSE(pool->storage_server_running());
  EXPECT_THROW(before->read(12288, io::kBlockAlignment), io::IoError)
      << "a connection to the stopped server is broken";
  pool->start_storage_server();
  EXPECT_TRUE(pool->storage_server_running());
  EXPECT_THROW(pool->start_storage_server(), std::logic_error) << "it runs already";

  auto after = nbd_from(pool->host(1).network_namespace, disk);
  EXPECT_EQ(after->read(12288, io::kBlockAlignment), block_of(42));
}

TEST_F(NbdStoragePoolTest, APausedServerHoldsRequestsUntilResumed) {
  auto pool = serving_pool(1);
  auto device = nbd_from(pool->host(0).network_namespace, pool->plan().heartbeat_sr_device());
  device->write(0, block_of(77));
  pool->pause_storage_server();
  EXPECT_TRUE(pool->storage_server_running()) << "paused, not stopped";
  std::future<std::vector<std::uint8_t>> pending =
      std::async(std::launch::async, [&device] { return device->read(0, io::kBlockAlignment); });
  EXPECT_EQ(pending.wait_for(seconds(1)), std::future_status::timeout)
      << "a paused server answered";
  pool->resume_storage_server();
  ASSERT_EQ(pending.wait_for(seconds(30)), std::future_status::ready);
  EXPECT_EQ(pending.get(), block_of(77));
}

// The end-to-end check: real daemons on the NBD heartbeat SR form a pool
// and enable HA with all three hosts live; a disk-writer VM writes its own
// NBD disk, and after the hosts stop one by one the oracle finds no two boots
// at once and every acknowledged record on the disk. (Before the daemon
// stopped its VMs ahead of leaving, the next host started a second copy.)
TEST_F(NbdStoragePoolTest, ThreeHostPoolOnNbdStorageEnablesHaAndItsVmWritesItsDisk) {
  const std::filesystem::path poolha = testing::real_poolha();
  if (poolha.empty() || !std::filesystem::exists(poolha)) {
    GTEST_SKIP() << "the tests were built without the poolha binary";
  }
  LocalPoolOptions options;
  options.hosts = 3;
  options.ha_timeout_seconds = 5;
  options.isolation = Isolation::kNamespaces;
  options.storage = Storage::kNbdNamespace;
  options.poolha_binary = poolha;
  options.vm_kind = VmKind::kDiskWriter;
  options.vms = {VmSpec{"vm-1", 64, "restart", std::nullopt}};
  options.vm_disk_mib = 4;
  LocalPool pool(options);
  pool.create();
  EXPECT_EQ(daemon::load_config(pool.host(2).config_file).heartbeat_sr.device,
            pool.plan().storage.heartbeat_sr.uri);
  for (std::size_t i = 0; i < 3; ++i) pool.start_host(i);
  for (std::size_t i = 0; i < 3; ++i) pool.wait_for_api(i, seconds(60));

  const std::string sr = pool.xe_checked(0, {"sr-list", "name-label=MGMT-HA", "--minimal"});
  ASSERT_EQ(sr, pool.plan().sr_uuid);
  pool.xe_checked(0, {"pool-ha-enable", "heartbeat-sr-uuids=" + sr, "ha-config:timeout=5"});
  std::string last_seen;
  try {
    LocalPool::wait_until(
        [&] {
          std::optional<std::string> master;
          for (std::size_t i = 0; i < 3; ++i) {
            if (const std::string failure = pool.host_failure(i); !failure.empty()) {
              throw std::runtime_error(failure);
            }
            PoolSnapshot seen;
            try {
              seen = read_snapshot(pool.api(i)->client());
            } catch (const std::exception& error) {
              last_seen = pool.host(i).name + ": " + error.what();
              return false;
            }
            std::size_t live = 0;
            for (const auto& entry : seen.hosts) live += entry.second.live ? 1 : 0;
            last_seen = pool.host(i).name + " sees " + std::to_string(live) +
                        " live hosts, master '" + seen.master + "'";
            if (live != 3 || seen.master.empty()) return false;
            if (master && *master != seen.master) return false;
            master = seen.master;
          }
          return true;
        },
        seconds(90), "every host to see 3 live hosts and one master");
  } catch (const WaitTimeout& timeout) {
    FAIL() << timeout.what() << "; last: " << last_seen << "\nhost-1 daemon log:\n"
           << log_tail(pool.host(0).daemon_log, 30);
  }

  const std::string vm = pool.xe_checked(0, {"vm-list", "name-label=vm-1", "--minimal"});
  pool.xe_checked(0, {"vm-start", "uuid=" + vm, "on=" + pool.host(1).name});
  const std::filesystem::path acks = pool.host(1).ack_log;
  LocalPool::wait_until(
      [&] { return std::filesystem::exists(acks) && std::filesystem::file_size(acks) > 200; },
      seconds(60), "vm-1 to acknowledge its first records on host-2");
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(pool.stop_host(i, seconds(30)));

  const oracle::Verdict verdict = pool.judge_disks();
  EXPECT_TRUE(verdict.clean()) << oracle::format_verdict(verdict);
  ASSERT_EQ(verdict.vms.size(), 1u);
  EXPECT_EQ(verdict.vms[0].vm, vm);
  // host-2 leaving restarts its protected VM on a host still up: one boot
  // or more, never two at once (checked by clean()).
  EXPECT_GE(verdict.vms[0].boots, 1u);
  EXPECT_GE(verdict.vms[0].acked, 3u);
  EXPECT_GE(verdict.vms[0].records, verdict.vms[0].acked);
}

}  // namespace
}  // namespace poolha::localpool

// The files a local pool writes before anything runs: the work directory
// layout, and host configurations the daemon accepts and that agree.
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "api/password_hash.h"
#include "daemon/config.h"
#include "localpool/config_agreement.h"
#include "localpool/host_config_text.h"
#include "localpool/local_pool.h"

namespace poolha::localpool {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

LocalPoolOptions three_hosts() {
  LocalPoolOptions options;
  options.hosts = 3;
  options.ha_timeout_seconds = 12;
  options.poolha_binary = "/bin/sh";  // never run by these tests
  return options;
}

TEST(LocalPoolFiles, ConfigurationsParseAndAgreeAcrossHosts) {
  LocalPool pool(three_hosts());
  pool.write_files();
  std::vector<daemon::DaemonConfig> configs;
  for (std::size_t i = 0; i < pool.host_count(); ++i) {
    configs.push_back(daemon::load_config(pool.host(i).config_file));
  }
  EXPECT_NO_THROW(check_configs_agree(configs));
  std::set<std::string> api_endpoints;
  std::set<std::string> heartbeat_endpoints;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const daemon::DaemonConfig& config = configs[i];
    const HostPlan& host = pool.host(i);
    SCOPED_TRACE(host.name);
    EXPECT_EQ(config.host_uuid, host.uuid);
    EXPECT_EQ(config.self_index(), i) << "host-N is the N-th host in uuid order";
    EXPECT_EQ(config.self().name, host.name);
    EXPECT_EQ(config.self().api.address, "127.0.0." + std::to_string(11 + i));
    EXPECT_EQ(config.pool_uuid, configs[0].pool_uuid);
    ASSERT_EQ(config.hosts.size(), 3u);
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(config.hosts[j].uuid, configs[0].hosts[j].uuid);
      EXPECT_EQ(config.hosts[j].api, configs[0].hosts[j].api);
      EXPECT_EQ(config.hosts[j].heartbeat, configs[0].hosts[j].heartbeat);
    }
    EXPECT_EQ(config.heartbeat_sr.device, pool.plan().heartbeat_sr.string());
    EXPECT_EQ(config.heartbeat_sr.name_label, "MGMT-HA");
    EXPECT_EQ(config.default_ha_timeout, std::chrono::seconds(12));
    EXPECT_EQ(config.state_dir, host.state_dir);
    EXPECT_EQ(config.run_dir, host.run_dir);
    EXPECT_EQ(config.fencing.socket, host.fencer_socket);
    EXPECT_EQ(config.vm_driver, "process");
    api_endpoints.insert(config.api.listen.address + ":" + std::to_string(config.api.listen.port));
    heartbeat_endpoints.insert(config.self().heartbeat.address + ":" +
                               std::to_string(config.self().heartbeat.port));
  }
  EXPECT_EQ(api_endpoints.size(), 3u);
  EXPECT_EQ(heartbeat_endpoints.size(), 3u);
}

TEST(LocalPoolFiles, ProcessVmCommandNamesTheVmAndTheHost) {
  LocalPool pool(three_hosts());
  pool.write_files();
  const daemon::DaemonConfig config = daemon::load_config(pool.host(1).config_file);
  ASSERT_EQ(config.process_vm_command.size(), 6u);
  EXPECT_EQ(config.process_vm_command[0], "/bin/sh");
  EXPECT_EQ(config.process_vm_command[3], "{name}");
  EXPECT_EQ(config.process_vm_command[4], "host-2");
  EXPECT_EQ(config.process_vm_command[5], (pool.plan().vm_log_dir / "{name}.log").string());
}

TEST(LocalPoolFiles, ApiPasswordMatchesTheConfiguredHash) {
  LocalPool pool(three_hosts());
  pool.write_files();
  const daemon::DaemonConfig config = daemon::load_config(pool.host(0).config_file);
  EXPECT_FALSE(pool.api_password().empty());
  EXPECT_TRUE(api::PasswordHash::parse(config.api.password_hash).matches(pool.api_password()));
  EXPECT_FALSE(api::PasswordHash::parse(config.api.password_hash).matches("wrong"));
  EXPECT_EQ(read_text(pool.plan().password_file), "root\n" + pool.api_password() + "\n");
}

TEST(LocalPoolFiles, WorkDirectoryLayout) {
  fs::path work;
  {
    LocalPool pool(three_hosts());
    pool.write_files();
    work = pool.plan().work_dir;
    EXPECT_TRUE(fs::is_directory(work));
    EXPECT_TRUE(fs::is_directory(work / "vm-logs"));
    const std::string secret = read_text(work / "secret");
    EXPECT_EQ(secret.size(), 65u) << "64 hex digits and a newline";
    struct stat info {};
    ASSERT_EQ(::stat((work / "secret").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << "the pool secret is private";
    for (std::size_t i = 0; i < 3; ++i) {
      const fs::path host = work / ("host-" + std::to_string(i + 1));
      EXPECT_EQ(pool.host(i).dir, host);
      EXPECT_TRUE(fs::is_regular_file(host / "host.toml"));
      EXPECT_TRUE(fs::is_directory(host / "state"));
      EXPECT_TRUE(fs::is_directory(host / "run"));
      EXPECT_EQ(pool.host(i).vm_registry, host / "run" / "vm-registry");
      EXPECT_EQ(pool.host(i).daemon_log, host / "daemon.log");
    }
    EXPECT_FALSE(fs::exists(work / "heartbeat-sr.img")) << "pool-create makes the SR";
  }
  EXPECT_FALSE(fs::exists(work)) << "teardown removes a work directory it made";
}

TEST(LocalPoolFiles, KeptWorkDirectorySurvivesTeardown) {
  LocalPoolOptions options = three_hosts();
  options.keep_work_dir = true;
  fs::path work;
  {
    LocalPool pool(options);
    pool.write_files();
    work = pool.plan().work_dir;
  }
  EXPECT_TRUE(fs::is_regular_file(work / "host-1" / "host.toml"));
  fs::remove_all(work);
}

TEST(LocalPoolFiles, QemuVmsGetTheQemuDriver) {
  PlanInputs inputs;
  inputs.work_dir = "/srv/pool";
  inputs.host_count = 2;
  inputs.host_addresses = {"127.0.0.11", "127.0.0.12"};
  inputs.isolation_address = "127.0.0.1";
  inputs.vm_kind = VmKind::kQemu;
  inputs.qemu_kernel = "/boot/vmlinuz-6.1.0-test";
  const PoolPlan plan = make_pool_plan(inputs);
  const daemon::DaemonConfig config =
      daemon::parse_config(render_host_config(plan, 0, "pbkdf2-sha256$1000$00$00"), "h.toml");
  EXPECT_EQ(config.vm_driver, "qemu");
  EXPECT_EQ(config.qemu.kernel, "/boot/vmlinuz-6.1.0-test");
  EXPECT_EQ(config.qemu.initramfs, "/srv/pool/guest.cpio");
  EXPECT_NE(config.qemu.kernel_cmdline.find("poolha_vm={uuid}"), std::string::npos);
}

TEST(LocalPoolFiles, PlanRefusesBadHostCounts) {
  PlanInputs inputs;
  inputs.work_dir = "/srv/pool";
  inputs.host_count = 17;
  EXPECT_THROW(make_pool_plan(inputs), std::invalid_argument);
  inputs.host_count = 2;
  inputs.host_addresses = {"127.0.0.11"};
  EXPECT_THROW(make_pool_plan(inputs), std::invalid_argument);
}

TEST(LocalPoolFiles, DisagreeingConfigurationsAreRefused) {
  LocalPool pool(three_hosts());
  pool.write_files();
  std::vector<daemon::DaemonConfig> configs;
  for (std::size_t i = 0; i < 3; ++i)
    configs.push_back(daemon::load_config(pool.host(i).config_file));

  auto other_pool = configs;
  other_pool[2].pool_uuid = "00000000-0000-4000-8000-000000000000";
  EXPECT_THROW(check_configs_agree(other_pool), std::runtime_error);

  auto other_sr = configs;
  other_sr[1].heartbeat_sr.device = "/elsewhere";
  EXPECT_THROW(check_configs_agree(other_sr), std::runtime_error);

  auto twice = configs;
  twice[2] = twice[1];
  EXPECT_THROW(check_configs_agree(twice), std::runtime_error);

  auto shared_api = configs;
  for (daemon::DaemonConfig& config : shared_api) config.hosts[1].api = config.hosts[0].api;
  EXPECT_THROW(check_configs_agree(shared_api), std::runtime_error);
}

TEST(LocalPoolFiles, TomlStringsAreEscaped) {
  EXPECT_EQ(toml_string("plain"), "\"plain\"");
  EXPECT_EQ(toml_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(toml_string(std::string("\x01")), "\"\\u0001\"");
}

}  // namespace
}  // namespace poolha::localpool

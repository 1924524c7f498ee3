#include "daemon/config.h"

#include <gtest/gtest.h>

#include <string>

namespace poolha::daemon {
namespace {

constexpr const char* kHostA = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr const char* kHostB = "bbbbbbbb-0000-4000-8000-000000000002";

std::string valid_config(const std::string& extra_vm = "") {
  return std::string(R"(
[host]
uuid = ")") +
         kHostB + R"("
state_dir = "/var/lib/poolha"
run_dir = "/run/poolha"

[pool]
uuid = "cccccccc-0000-4000-8000-000000000003"
secret_file = "/etc/poolha/secret"
default_ha_timeout = 30

[[pool.host]]
uuid = ")" +
         kHostB + R"("
name = "beta"
heartbeat = "10.0.0.2:694"
api = "10.0.0.2:8080"
memory_mib = 16384
memory_overhead_mib = 1024

[[pool.host]]
uuid = ")" +
         kHostA + R"("
heartbeat = "10.0.0.1:694"
api = "10.0.0.1:8080"
memory_mib = 16384
weight = 2

[heartbeat_sr]
uuid = "dddddddd-0000-4000-8000-000000000004"
name_label = "MGMT-HA"
device = "nbd://10.0.0.9:10809/ha"

[api]
password_hash = "pbkdf2-sha256$1000$c2FsdA$aGFzaA"

[vm]
driver = "process"
command = ["/bin/sleep", "infinity"]
)" + extra_vm;
}

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "test.toml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(accepted)";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(DaemonConfig, ParsesAValidFileAndSortsHostsByUuid) {
  const DaemonConfig config = parse_config(valid_config(), "test.toml");
  ASSERT_EQ(config.hosts.size(), 2u);
  EXPECT_EQ(config.hosts[0].uuid, kHostA);  // index order is uuid order, as in the statefile
  EXPECT_EQ(config.hosts[0].name, "aaaaaaaa");
  EXPECT_EQ(config.hosts[0].weight, 2u);
  EXPECT_EQ(config.hosts[1].name, "beta");
  EXPECT_EQ(config.hosts[1].memory_overhead_mib, 1024u);
  EXPECT_EQ(config.self_index(), 1u);
  EXPECT_EQ(config.api.listen, (Endpoint{"10.0.0.2", 8080}));
  EXPECT_EQ(config.default_ha_timeout, 30s);
  EXPECT_EQ(config.heartbeat_sr.device, "nbd://10.0.0.9:10809/ha");
  EXPECT_TRUE(config.heartbeat_sr.direct_io);
  EXPECT_EQ(config.heartbeat_sr.metadata_area_mib, 16u);
  EXPECT_EQ(config.fencing.kind, FencerKind::kProcess);
  EXPECT_EQ(config.fencing.socket, "/run/poolha/fencer.sock");
  EXPECT_EQ(config.process_vm_command, (std::vector<std::string>{"/bin/sleep", "infinity"}));
}

TEST(DaemonConfig, RefusesUnknownKeysWithTheirFullName) {
  EXPECT_EQ(error_of(valid_config()), "(accepted)");
  const std::string text = replaced(valid_config(), "name_label = \"MGMT-HA\"",
                                    "name_label = \"MGMT-HA\"\ndirect_oi = false");
  EXPECT_EQ(error_of(text), "test.toml: heartbeat_sr.direct_oi: unknown key");
  EXPECT_EQ(error_of(valid_config() + "\n[extra]\nx = 1\n"), "test.toml: extra: unknown key");
}

TEST(DaemonConfig, NamesTheKeyOfEveryBadValue) {
  EXPECT_EQ(error_of(replaced(valid_config(), "10.0.0.1:694", "10.0.0.1")),
            "test.toml: pool.host[1].heartbeat: '10.0.0.1' is not ADDRESS:PORT (numeric IPv4 and a "
            "port)");
  EXPECT_EQ(error_of(replaced(valid_config(), "weight = 2", "weight = 0")),
            "test.toml: pool.host[1].weight: must be in 1..1000000, not 0");
  EXPECT_EQ(error_of(replaced(valid_config(), "default_ha_timeout = 30", "default_ha_timeout = 1")),
            "test.toml: pool.default_ha_timeout: must be in 2..3600, not 1");
  EXPECT_EQ(error_of(replaced(valid_config(), "driver = \"process\"", "driver = \"xen\"")),
            "test.toml: vm.driver: must be \"process\", \"qemu\" or \"libvirt\", not \"xen\"");
  EXPECT_EQ(error_of(replaced(valid_config(), "memory_mib = 16384\nweight", "weight")),
            "test.toml: pool.host[1].memory_mib: is required");
}

TEST(DaemonConfig, ChecksThePoolAsAWhole) {
  EXPECT_EQ(error_of(replaced(valid_config(), std::string("uuid = \"") + kHostA,
                              std::string("uuid = \"") + kHostB)),
            std::string("test.toml: pool.host: uuid ") + kHostB + " appears twice");
  EXPECT_EQ(error_of(replaced(valid_config(), "10.0.0.1:694", "10.0.0.2:694")),
            "test.toml: pool.host: two hosts share the heartbeat endpoint 10.0.0.2:694");
  const std::string stranger = "eeeeeeee-0000-4000-8000-000000000005";
  EXPECT_EQ(error_of(replaced(valid_config(), std::string("[host]\nuuid = \"") + kHostB,
                              "[host]\nuuid = \"" + stranger)),
            "test.toml: host.uuid " + stranger + " is not one of the [[pool.host]] entries");
  EXPECT_EQ(error_of(replaced(valid_config(), std::string("[host]\nuuid = \"") + kHostB,
                              "[host]\nuuid = \"HOST-B")),
            "test.toml: host.uuid: must be a lower-case uuid (8-4-4-4-12 hex digits), not "
            "'HOST-B'");
}

TEST(DaemonConfig, ReportsTomlSyntaxErrorsWithTheirPosition) {
  const std::string message = error_of("[host\nuuid = 1\n");
  EXPECT_EQ(message.rfind("test.toml:1:", 0), 0u) << message;
}

TEST(DaemonConfig, ParsesEndpoints) {
  EXPECT_EQ(parse_endpoint("127.0.0.2:8080"), (Endpoint{"127.0.0.2", 8080}));
  EXPECT_THROW(parse_endpoint("127.0.0.2:0"), ConfigError);
  EXPECT_THROW(parse_endpoint("127.0.0.2:65536"), ConfigError);
  EXPECT_THROW(parse_endpoint("host.example:80"), ConfigError);
  EXPECT_THROW(parse_endpoint("127.0.0.2:80x"), ConfigError);
  EXPECT_THROW(parse_endpoint("127.0.0.2"), ConfigError);
}

TEST(DaemonConfig, ProcessDriverNeedsACommand) {
  EXPECT_EQ(error_of(replaced(valid_config(), "command = [\"/bin/sleep\", \"infinity\"]", "")),
            "test.toml: vm.command: the process driver needs the command a VM runs");
}

TEST(DaemonConfig, QemuDriverSettings) {
  const std::string qemu = replaced(valid_config(), "driver = \"process\"", "driver = \"qemu\"");
  EXPECT_EQ(error_of(qemu), "test.toml: vm.kernel: the qemu driver needs the guest kernel to boot");
  const DaemonConfig config = parse_config(
      qemu +
          "kernel = \"/boot/vmlinuz\"\naccel = \"tcg\"\ndisks = [\"nbd://10.0.0.9:10809/{uuid}\"]\n"
          "vcpus = 2\n",
      "test.toml");
  EXPECT_EQ(config.vm_driver, "qemu");
  EXPECT_EQ(config.qemu.kernel, "/boot/vmlinuz");
  EXPECT_EQ(config.qemu.accel, "tcg");
  EXPECT_EQ(config.qemu.vcpus, 2u);
  ASSERT_EQ(config.qemu.disks.size(), 1u);
  EXPECT_EQ(config.qemu.disks[0], "nbd://10.0.0.9:10809/{uuid}");
  EXPECT_EQ(error_of(qemu + "kernel = \"/boot/vmlinuz\"\naccel = \"hvf\"\n"),
            "test.toml: vm.accel: must be \"auto\", \"kvm\" or \"tcg\", not \"hvf\"");
}

TEST(DaemonConfig, LibvirtDriverNeedsADomainTemplate) {
  const std::string libvirt =
      replaced(valid_config(), "driver = \"process\"", "driver = \"libvirt\"");
  EXPECT_EQ(error_of(libvirt),
            "test.toml: vm.domain_template: the libvirt driver needs a domain XML template");
  const DaemonConfig config = parse_config(
      libvirt + "libvirt_uri = \"test:///default\"\ndomain_template = \"/etc/poolha/domain.xml\"\n",
      "test.toml");
  EXPECT_EQ(config.libvirt.uri, "test:///default");
  EXPECT_EQ(config.libvirt.domain_template, "/etc/poolha/domain.xml");
}

}  // namespace
}  // namespace poolha::daemon

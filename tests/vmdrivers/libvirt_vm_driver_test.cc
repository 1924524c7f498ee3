// The libvirt VM driver against libvirt's test driver (test:///default), which
// needs no daemon. Within one process every connection to test:///default
// shares one state while any of them is open, so a test holds a connection
// of its own ("host") to look at the domains and to play the guest: its
// shutdown and destroy look to the driver like a guest that powered off and
// one that died. test:///default also runs a domain of its own, which is not
// the driver's ("the foreign domain").
#include "vm/libvirt/libvirt_vm_driver.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "halt_record.h"
#include "vm/libvirt/libvirt_handles.h"

namespace poolha::vm {
namespace {

using libvirt::ConnectionHandle;
using libvirt::DomainHandle;
using Names = std::vector<std::string>;

constexpr const char* kTemplate = R"(<domain type='test'>
  <name>{name}</name>
  <uuid>{uuid}</uuid>
  <memory unit='KiB'>{memory_kib}</memory>
  <os><type>hvm</type></os>
</domain>
)";

VmConfig vm_config(const std::string& uuid, const std::string& name) {
  return VmConfig{uuid, name, 256ULL << 20};
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' lacks '" << part << "'";
}

using testing::Halt;

class LibvirtVmDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/poolha-libvirt-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    write_file(dir_ / "domain.xml", kTemplate);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  LibvirtDriverConfig config(std::string uri = "test:///default") const {
    LibvirtDriverConfig c;
    c.uri = std::move(uri);
    c.domain_template = dir_ / "domain.xml";
    c.stop_poll_interval = 10ms;
    return c;
  }

  std::unique_ptr<LibvirtVmDriver> make_driver(LibvirtDriverConfig c) {
    auto driver = std::make_unique<LibvirtVmDriver>(io_, std::move(c));
    driver->set_halt_listener([this](const std::string& uuid, HaltCause cause) {
      halts_.push_back({uuid, cause});
    });
    return driver;
  }

  // The test's own connection to the shared test:///default state.
  static ConnectionHandle open_host() {
    ConnectionHandle host(virConnectOpen("test:///default"));
    EXPECT_TRUE(host) << virGetLastErrorMessage();
    return host;
  }

  // Runs the owner's loop until `condition` holds. The bound only keeps a
  // broken driver from hanging the test; libvirt's test driver answers at once.
  template <typename Condition>
  bool run_until(Condition condition) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      io_.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  using Operation = std::function<void(VmDriver::Done)>;
  VmResult await(const Operation& operation) {
    std::optional<VmResult> result;
    operation([&result](VmResult r) { result = std::move(r); });
    EXPECT_FALSE(result) << "done ran inside the call";
    EXPECT_TRUE(run_until([&result] { return result.has_value(); }));
    return result.value_or(VmResult{false, "no answer"});
  }
  VmResult start(LibvirtVmDriver& driver, const VmConfig& vm) {
    return await([&](VmDriver::Done done) { driver.start(vm, std::move(done)); });
  }
  VmResult stop(LibvirtVmDriver& driver, const std::string& uuid) {
    return await([&](VmDriver::Done done) { driver.stop(uuid, std::move(done)); });
  }

  static DomainHandle domain(const ConnectionHandle& host, const std::string& uuid) {
    DomainHandle d(virDomainLookupByUUIDString(host.get(), uuid.c_str()));
    EXPECT_TRUE(d) << uuid << ": " << virGetLastErrorMessage();
    return d;
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> keep_loop_{io_.get_executor()};
  std::vector<Halt> halts_;
};

TEST_F(LibvirtVmDriverTest, StartDefinesAndRunsADomainWithTheVmsUuidAndMemory) {
  auto driver = make_driver(config());
  const ConnectionHandle host = open_host();
  const VmConfig vm = vm_config("11111111-0000-4000-8000-000000000001", "vm-start");

  const VmResult result = start(*driver, vm);
  ASSERT_TRUE(result.ok) << result.error;

  const DomainHandle d = domain(host, vm.uuid);
  ASSERT_TRUE(d);
  EXPECT_STREQ(virDomainGetName(d.get()), "vm-start");
  EXPECT_EQ(virDomainIsActive(d.get()), 1);
  EXPECT_EQ(virDomainGetMaxMemory(d.get()), 256UL << 10);
  EXPECT_EQ(virDomainIsPersistent(d.get()), 1);
  // The foreign domain that also runs is not listed.
  EXPECT_EQ(driver->running(), Names{vm.uuid});
  EXPECT_TRUE(halts_.empty());
}

TEST_F(LibvirtVmDriverTest, RunningListsAVmFromTheMomentItsStartIsAskedFor) {
  auto driver = make_driver(config());
  const VmConfig vm = vm_config("11111111-0000-4000-8000-000000000002", "vm-booting");
  std::optional<VmResult> result;
  driver->start(vm, [&result](VmResult r) { result = std::move(r); });
  EXPECT_EQ(driver->running(), Names{vm.uuid});
  ASSERT_TRUE(run_until([&result] { return result.has_value(); }));
  EXPECT_TRUE(result->ok) << result->error;
  EXPECT_EQ(driver->running(), Names{vm.uuid});
}

TEST_F(LibvirtVmDriverTest, ASecondStartOfTheSameVmIsOkAndRunsNothingTwice) {
  auto driver = make_driver(config());
  const ConnectionHandle host = open_host();
  const VmConfig vm = vm_config("11111111-0000-4000-8000-000000000003", "vm-twice");
  ASSERT_TRUE(start(*driver, vm).ok);
  const DomainHandle d = domain(host, vm.uuid);
  ASSERT_TRUE(d);
  const unsigned int first_run = virDomainGetID(d.get());

  const VmResult again = start(*driver, vm);
  EXPECT_TRUE(again.ok) << again.error;
  EXPECT_EQ(virDomainGetID(d.get()), first_run);  // the same run, not a restart
  EXPECT_EQ(driver->running(), Names{vm.uuid});
  EXPECT_EQ(virConnectNumOfDomains(host.get()), 2);  // this VM and the foreign one
}

TEST_F(LibvirtVmDriverTest, StopMakesTheDomainInactiveAndIsNoHalt) {
  auto driver = make_driver(config());
  const ConnectionHandle host = open_host();
  const VmConfig vm = vm_config("11111111-0000-4000-8000-000000000004", "vm-stop");
  ASSERT_TRUE(start(*driver, vm).ok);

  const VmResult result = stop(*driver, vm.uuid);
  ASSERT_TRUE(result.ok) << result.error;
  const DomainHandle d = domain(host, vm.uuid);
  ASSERT_TRUE(d);
  EXPECT_EQ(virDomainIsActive(d.get()), 0);
  EXPECT_EQ(virDomainIsPersistent(d.get()), 1);  // still defined, ready for the next start
  EXPECT_EQ(driver->running(), Names{});

  // Events arrive in order: once a later VM's crash is reported, the stop's
  // own event has been handled too, and it must not have been a halt.
  const VmConfig witness = vm_config("11111111-0000-4000-8000-000000000005", "vm-witness");
  ASSERT_TRUE(start(*driver, witness).ok);
  const DomainHandle w = domain(host, witness.uuid);
  ASSERT_EQ(virDomainDestroy(w.get()), 0);
  ASSERT_TRUE(run_until([this] { return !halts_.empty(); }));
  EXPECT_EQ(halts_, (std::vector<Halt>{{witness.uuid, HaltCause::kGuestCrash}}));
}

TEST_F(LibvirtVmDriverTest, AStoppedVmStartsAgain) {
  auto driver = make_driver(config());
  const ConnectionHandle host = open_host();
  const VmConfig vm = vm_config("11111111-0000-4000-8000-000000000006", "vm-again");
  ASSERT_TRUE(start(*driver, vm).ok);
  // Asked back to back: the start waits for the stop to finish.
  std::optional<VmResult> stopped;
  std::optional<VmResult> started;
  driver->stop(vm.uuid, [&stopped](VmResult r) { stopped = std::move(r); });
  driver->start(vm, [&started](VmResult r) { started = std::move(r); });
  ASSERT_TRUE(run_until([&] { return stopped && started; }));
  EXPECT_TRUE(stopped->ok) << stopped->error;
  EXPECT_TRUE(started->ok) << started->error;
  const DomainHandle d = domain(host, vm.uuid);
  ASSERT_TRUE(d);
  EXPECT_EQ(virDomainIsActive(d.get()), 1);
  EXPECT_EQ(driver->running(), Names{vm.uuid});
}

TEST_F(LibvirtVmDriverTest, StoppingAVmThatDoesNotRunFails) {
  auto driver = make_driver(config());
  const VmResult result = stop(*driver, "11111111-0000-4000-8000-000000000007");
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "VM_BAD_POWER_STATE: not running");
}

TEST_F(LibvirtVmDriverTest, AGuestShutdownAndACrashAreReportedAsHalts) {
  auto driver = make_driver(config());
  const ConnectionHandle host = open_host();
  const VmConfig vm = vm_config("11111111-0000-4000-8000-000000000008", "vm-halts");
  ASSERT_TRUE(start(*driver, vm).ok);
  const DomainHandle d = domain(host, vm.uuid);
  ASSERT_TRUE(d);

  ASSERT_EQ(virDomainShutdown(d.get()), 0);  // as if the guest powered off
  ASSERT_TRUE(run_until([this] { return halts_.size() == 1; }));
  EXPECT_EQ(halts_.back(), (Halt{vm.uuid, HaltCause::kGuestShutdown}));
  EXPECT_EQ(driver->running(), Names{});

  ASSERT_TRUE(start(*driver, vm).ok);
  ASSERT_EQ(virDomainDestroy(d.get()), 0);  // as if the emulator died
  ASSERT_TRUE(run_until([this] { return halts_.size() == 2; }));
  EXPECT_EQ(halts_.back(), (Halt{vm.uuid, HaltCause::kGuestCrash}));
  EXPECT_EQ(driver->running(), Names{});
}

TEST_F(LibvirtVmDriverTest, ADriverStartedAfreshFindsTheVmsItRan) {
  const ConnectionHandle host = open_host();  // keeps the shared state alive
  const VmConfig vm = vm_config("11111111-0000-4000-8000-000000000009", "vm-found");
  {
    auto before_restart = make_driver(config());
    ASSERT_TRUE(start(*before_restart, vm).ok);
  }
  auto driver = make_driver(config());
  ASSERT_TRUE(run_until([&] { return driver->ready(); }));
  // Listed, although this driver never started it; the foreign domain is not.
  EXPECT_EQ(driver->running(), Names{vm.uuid});

  // Found domains are the driver's: their halts are reported.
  const DomainHandle d = domain(host, vm.uuid);
  ASSERT_TRUE(d);
  ASSERT_EQ(virDomainShutdown(d.get()), 0);
  ASSERT_TRUE(run_until([this] { return !halts_.empty(); }));
  EXPECT_EQ(halts_, (std::vector<Halt>{{vm.uuid, HaltCause::kGuestShutdown}}));
}

TEST_F(LibvirtVmDriverTest, ABadTemplateFailsWithLibvirtsMessage) {
  write_file(dir_ / "domain.xml", "<domain type='test'><name>{name}</name><uuid>{uuid}</uuid>");
  auto driver = make_driver(config());
  const VmResult result = start(*driver, vm_config("11111111-0000-4000-8000-00000000000a", "bad"));
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(Contains(result.error,
                       "VM_START_FAILED: cannot define the domain of VM "
                       "11111111-0000-4000-8000-00000000000a: "));
  EXPECT_TRUE(Contains(result.error, "Premature end of data"));  // libvirt's XML parser
  EXPECT_EQ(driver->running(), Names{});
}

TEST_F(LibvirtVmDriverTest, TemplateProblemsAreNamed) {
  const VmConfig vm = vm_config("11111111-0000-4000-8000-00000000000b", "named");
  LibvirtDriverConfig missing = config();
  missing.domain_template = dir_ / "missing.xml";
  auto driver = make_driver(missing);
  VmResult result = start(*driver, vm);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(Contains(result.error, "VM_START_FAILED: cannot read domain template " +
                                         (dir_ / "missing.xml").string()));

  write_file(dir_ / "domain.xml", "<domain type='test'><uuid>{uuid}</uuid>{cpus}</domain>");
  driver = make_driver(config());
  result = start(*driver, vm);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(Contains(result.error, "unknown placeholder {cpus}"));
}

TEST_F(LibvirtVmDriverTest, AnUnreachableLibvirtFailsWithItsMessageAndIsTriedAgain) {
  // A test:/// node file that does not exist yet: libvirt refuses to connect.
  const std::string node = (dir_ / "node.xml").string();
  auto driver = make_driver(config("test://" + node));
  const VmConfig vm = vm_config("11111111-0000-4000-8000-00000000000c", "late");
  const VmResult refused = start(*driver, vm);
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(Contains(refused.error,
                       "VM_START_FAILED: cannot connect to libvirt at test://" + node + ": "));
  EXPECT_TRUE(Contains(refused.error, "failed to parse xml document"));  // libvirt's words
  EXPECT_EQ(driver->running(), Names{});
  EXPECT_FALSE(driver->ready());  // what runs there is unknown

  write_file(dir_ / "node.xml", "<node/>\n");  // an empty host
  const VmResult started = start(*driver, vm);
  EXPECT_TRUE(started.ok) << started.error;
  EXPECT_TRUE(driver->ready());
  EXPECT_EQ(driver->running(), Names{vm.uuid});
}

TEST_F(LibvirtVmDriverTest, AnUnknownUriFailsWithLibvirtsMessage) {
  auto driver = make_driver(config("nosuchdriver:///system"));
  const VmResult result = start(*driver, vm_config("11111111-0000-4000-8000-00000000000d", "x"));
  EXPECT_FALSE(result.ok);
  const std::string prefix =
      "VM_START_FAILED: cannot connect to libvirt at nosuchdriver:///system: ";
  EXPECT_TRUE(Contains(result.error, prefix));
  EXPECT_GT(result.error.size(), prefix.size());  // followed by libvirt's reason
}

TEST_F(LibvirtVmDriverTest, UuidsMustBeCanonical) {
  auto driver = make_driver(config());
  const VmResult result = start(*driver, vm_config("11111111-0000-4000-8000-00000000000E", "x"));
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(Contains(result.error, "UUID_INVALID"));
  EXPECT_EQ(driver->running(), Names{});
  EXPECT_FALSE(stop(*driver, "vm1").ok);
}

TEST_F(LibvirtVmDriverTest, AnUnusableConfigurationIsRefused) {
  LibvirtDriverConfig c = config();
  c.domain_template.clear();
  EXPECT_THROW({ LibvirtVmDriver driver(io_, c); }, std::invalid_argument);
  c = config();
  c.uri.clear();
  EXPECT_THROW({ LibvirtVmDriver driver(io_, c); }, std::invalid_argument);
  c = config();
  c.stop_poll_interval = Duration::zero();
  EXPECT_THROW({ LibvirtVmDriver driver(io_, c); }, std::invalid_argument);
}

}  // namespace
}  // namespace poolha::vm

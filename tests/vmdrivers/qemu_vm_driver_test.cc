// The QEMU driver against real micro-VMs under TCG: boot, serial console,
// QMP stop, a guest powering itself off, a killed QEMU, adoption after a
// restart and a refused start. Each boot costs seconds of CPU, so there
// are few, and VMs that need not boot fully are ended early.
#include "vm/qemu/qemu_vm_driver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "halt_record.h"
#include "process_test_support.h"
#include "qemu_test_support.h"
#include "vm/process/process_group.h"

namespace poolha::vm {
namespace {

using testing::MicroVmGuest;
using testing::read_file;
using testing::ResultSlot;
using testing::run_operation;
using testing::run_until;
using namespace std::chrono_literals;

// TCG boots take a few seconds, more on a loaded machine.
constexpr auto kBootWait = 120s;
constexpr auto kQemuWait = 30s;

using testing::Halt;

class QemuVmDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const MicroVmGuest& guest = MicroVmGuest::get();
    if (!guest.skip_reason().empty()) GTEST_SKIP() << guest.skip_reason();
    ASSERT_TRUE(guest.build_error().empty()) << guest.build_error();
  }

  void TearDown() override {
    for (const auto& [uuid, group] : registry_.list()) testing::kill_group(group);
  }

  QemuDriverConfig config(const std::string& cmdline_extra = {}) {
    const MicroVmGuest& guest = MicroVmGuest::get();
    QemuDriverConfig c;
    c.accel = Accelerator::kTcg;  // this machine's KVM cannot run a stock kernel
    c.kernel = guest.kernel();
    c.initramfs = guest.initramfs();
    c.kernel_cmdline = "console=ttyS0 poolha_vm={uuid}" + cmdline_extra;
    c.state_dir = dir_.path() / "state";
    c.stop_grace = 10s;
    return c;
  }

  std::unique_ptr<QemuVmDriver> make_driver(QemuDriverConfig c) {
    auto driver = std::make_unique<QemuVmDriver>(io_, registry_, std::move(c));
    driver->set_halt_listener([this](const std::string& uuid, HaltCause cause) {
      halts_.push_back({uuid, cause});
    });
    return driver;
  }

  VmResult start(VmDriver& driver, const VmConfig& vm) {
    return run_operation(
        io_, [&](VmDriver::Done done) { driver.start(vm, std::move(done)); }, kQemuWait);
  }

  VmResult stop(VmDriver& driver, const std::string& uuid) {
    return run_operation(
        io_, [&](VmDriver::Done done) { driver.stop(uuid, std::move(done)); }, kQemuWait);
  }

  testing::ScratchDir dir_;
  asio::io_context io_;
  VmProcessRegistry registry_{dir_.path() / "registry"};
  std::vector<Halt> halts_;
};

TEST_F(QemuVmDriverTest, BootsAGuestListsItAndStopsItOverQmp) {
  QemuDriverConfig c = config();
  const auto disks = dir_.path() / "disks";
  std::filesystem::create_directories(disks);
  std::ofstream(disks / "vm-boot.img").close();
  std::filesystem::resize_file(disks / "vm-boot.img", 16 << 20);  // a sparse raw image
  c.disks = {(disks / "{uuid}.img").string()};
  auto driver = make_driver(c);
  EXPECT_EQ(driver->accelerator(), Accelerator::kTcg);

  const VmResult started = start(*driver, VmConfig{"vm-boot", "boot", 128ull << 20});
  ASSERT_TRUE(started.ok) << started.error;
  EXPECT_EQ(driver->running(), std::vector<std::string>{"vm-boot"});
  const pid_t group = driver->process_group("vm-boot").value();
  EXPECT_EQ(::getpgid(group), group) << "QEMU leads its own process group";
  EXPECT_EQ(registry_.list(), (std::map<std::string, pid_t>{{"vm-boot", group}}));

  const auto serial = driver->files("vm-boot").serial_log;
  const bool up = run_until(
      io_, [&] { return read_file(serial).find("poolha-guest-up vm-boot") != std::string::npos; },
      kBootWait);
  ASSERT_TRUE(up) << "no marker on the serial console; it shows:\n" << read_file(serial);
  EXPECT_NE(read_file(serial).find("poolha-guest-disks: vda"), std::string::npos)
      << "the configured disk is the guest's virtio disk";
  EXPECT_EQ(driver->running(), std::vector<std::string>{"vm-boot"});

  const VmResult stopped = stop(*driver, "vm-boot");
  EXPECT_TRUE(stopped.ok) << stopped.error;
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
  EXPECT_FALSE(group_has_live_members(group));
  EXPECT_EQ(read_file(driver->files("vm-boot").qemu_log).find("terminating on signal"),
            std::string::npos)
      << "QEMU quit over QMP, not on a signal";
  EXPECT_TRUE(halts_.empty()) << "a stop is not a halt";
}

TEST_F(QemuVmDriverTest, AGuestThatPowersItselfOffIsAGuestShutdown) {
  auto driver = make_driver(config(" poolha_poweroff_after=0"));
  ASSERT_TRUE(start(*driver, VmConfig{"vm-off", "off", 0}).ok);
  const pid_t group = driver->process_group("vm-off").value();

  ASSERT_TRUE(run_until(
      io_, [&] { return !halts_.empty(); }, kBootWait))
      << "the guest did not power off; its console shows:\n"
      << read_file(driver->files("vm-off").serial_log);
  EXPECT_EQ(halts_.front().uuid, "vm-off");
  EXPECT_EQ(halts_.front().cause, HaltCause::kGuestShutdown);
  EXPECT_NE(read_file(driver->files("vm-off").serial_log).find("poolha-guest-up vm-off"),
            std::string::npos);
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
  EXPECT_FALSE(group_has_live_members(group));
}

TEST_F(QemuVmDriverTest, AKilledQemuIsACrash) {
  auto driver = make_driver(config());
  ASSERT_TRUE(start(*driver, VmConfig{"vm-kill", "kill", 0}).ok);
  ASSERT_EQ(::kill(driver->process_group("vm-kill").value(), SIGKILL), 0);
  ASSERT_TRUE(run_until(
      io_, [&] { return !halts_.empty(); }, kQemuWait));
  EXPECT_EQ(halts_.front().uuid, "vm-kill");
  EXPECT_EQ(halts_.front().cause, HaltCause::kGuestCrash);
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
}

TEST_F(QemuVmDriverTest, ARecreatedDriverAdoptsARunningQemuAndStopsItOverQmp) {
  pid_t group = 0;
  {
    auto first = make_driver(config());
    ASSERT_TRUE(start(*first, VmConfig{"vm-adopt", "adopt", 0}).ok);
    group = first->process_group("vm-adopt").value();
  }  // the daemon goes away; its VM does not
  ASSERT_TRUE(group_has_live_members(group));

  auto second = make_driver(config());
  EXPECT_EQ(second->running(), std::vector<std::string>{"vm-adopt"});
  EXPECT_TRUE(second->adopted("vm-adopt"));
  EXPECT_EQ(second->process_group("vm-adopt"), group);

  // Starting it again is not a second copy.
  EXPECT_TRUE(start(*second, VmConfig{"vm-adopt", "adopt", 0}).ok);
  EXPECT_EQ(registry_.list(), (std::map<std::string, pid_t>{{"vm-adopt", group}}));

  const VmResult stopped = stop(*second, "vm-adopt");
  EXPECT_TRUE(stopped.ok) << stopped.error;
  EXPECT_FALSE(group_has_live_members(group));
  EXPECT_EQ(read_file(second->files("vm-adopt").qemu_log).find("terminating on signal"),
            std::string::npos)
      << "the new driver reconnected to QMP and quit QEMU through it";
  EXPECT_TRUE(second->running().empty());
  EXPECT_TRUE(registry_.list().empty());
  EXPECT_TRUE(halts_.empty());
}

TEST_F(QemuVmDriverTest, AStartQemuRefusesCarriesQemusMessage) {
  QemuDriverConfig c = config();
  c.disks = {"/nonexistent/{uuid}.img"};
  auto driver = make_driver(c);
  const VmResult result = start(*driver, VmConfig{"vm-bad", "bad", 0});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("VM_START_FAILED"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("/nonexistent/vm-bad.img"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("No such file or directory"), std::string::npos) << result.error;
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
}

TEST_F(QemuVmDriverTest, AutoProbesKvmOnceAndStartsWaitForTheChoice) {
  QemuDriverConfig c = config();
  c.accel = Accelerator::kAuto;
  c.kvm_probe_timeout = 5s;  // a KVM that cannot run the guest hangs until then
  auto driver = make_driver(c);
  EXPECT_FALSE(driver->accelerator().has_value()) << "the probe runs in the background";

  ResultSlot started;
  driver->start(VmConfig{"vm-auto", "auto", 0}, started.callback());
  EXPECT_EQ(driver->running(), std::vector<std::string>{"vm-auto"}) << "a waiting start is listed";
  ASSERT_TRUE(run_until(
      io_, [&] { return started.ready(); }, kQemuWait));
  EXPECT_TRUE(started.result->ok) << started.result->error;
  ASSERT_TRUE(driver->accelerator().has_value());
  EXPECT_NE(driver->accelerator(), Accelerator::kAuto);
  ::testing::Test::RecordProperty("accelerator",
                                  std::string(accelerator_name(*driver->accelerator())));
  EXPECT_TRUE(stop(*driver, "vm-auto").ok);
}

TEST_F(QemuVmDriverTest, AStopDuringStartEndsTheVmAndFailsTheStart) {
  auto driver = make_driver(config());
  ResultSlot started;
  ResultSlot stopped;
  driver->start(VmConfig{"vm-early", "early", 0}, started.callback());
  driver->stop("vm-early", stopped.callback());
  ASSERT_TRUE(run_until(
      io_, [&] { return started.ready() && stopped.ready(); }, kQemuWait));
  EXPECT_TRUE(stopped.result->ok) << stopped.result->error;
  EXPECT_FALSE(started.result->ok);
  EXPECT_TRUE(driver->running().empty());
  EXPECT_TRUE(registry_.list().empty());
  EXPECT_TRUE(halts_.empty());
}

}  // namespace
}  // namespace poolha::vm

// LinuxWatchdog against fake paths: a regular file stands in for the
// device and another for /proc/sysrq-trigger, so nothing here can reboot
// the machine. The ioctl paths are reached only through /dev/null, which
// is a character device but no watchdog.
#include "fence/linux_watchdog.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "fence/fence_record.h"
#include "temp_dir.h"

namespace poolha::fence {
namespace {

std::string contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class LinuxWatchdogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(device()).flush();
    std::ofstream(sysrq()).flush();
  }
  std::filesystem::path device() const { return dir_.path() / "watchdog"; }
  std::filesystem::path sysrq() const { return dir_.path() / "sysrq-trigger"; }
  std::filesystem::path state() const { return dir_.path() / "state"; }

  LinuxWatchdogOptions fake_options() const {
    LinuxWatchdogOptions options;
    options.device = device();
    options.sysrq_trigger = sysrq();
    options.state_dir = state();
    options.host_name = "host-a";
    options.require_character_device = false;
    return options;
  }

  testing::TempDir dir_;
};

TEST_F(LinuxWatchdogTest, CheckNamesAMissingDevice) {
  LinuxWatchdogOptions options = fake_options();
  options.device = dir_.path() / "no-such-watchdog";
  const auto problem = LinuxWatchdog(options).check();
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem,
            "no watchdog device at " + options.device.string() + " (No such file or directory)");
}

TEST_F(LinuxWatchdogTest, CheckRefusesAPlainFileInProduction) {
  LinuxWatchdogOptions options = fake_options();
  options.require_character_device = true;
  const auto problem = LinuxWatchdog(options).check();
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, device().string() + " is not a character device, so it is not a watchdog");
}

TEST_F(LinuxWatchdogTest, CheckNeedsTheSysrqTrigger) {
  LinuxWatchdogOptions options = fake_options();
  options.sysrq_trigger = dir_.path() / "missing" / "sysrq-trigger";
  const auto problem = LinuxWatchdog(options).check();
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("cannot write the sysrq trigger"), std::string::npos) << *problem;
}

TEST_F(LinuxWatchdogTest, ArmKickAndMagicCloseOnAFakeDevice) {
  LinuxWatchdog watchdog(fake_options());
  EXPECT_EQ(watchdog.check(), std::nullopt);
  EXPECT_THROW(watchdog.kick(), FenceError) << "a kick before arm is a daemon bug";
  watchdog.arm(3s);
  EXPECT_TRUE(watchdog.armed());
  watchdog.kick();
  watchdog.kick();
  watchdog.disarm();
  EXPECT_FALSE(watchdog.armed());
  // Opening armed it, each kick wrote a byte, and 'V' before close disarms.
  EXPECT_EQ(contents(device()), "kkkV");
  watchdog.disarm();  // disarming a disarmed watchdog does nothing
  EXPECT_EQ(contents(device()), "kkkV");
}

TEST_F(LinuxWatchdogTest, ClosingWhileArmedLeavesOutTheMagicCharacter) {
  {
    LinuxWatchdog watchdog(fake_options());
    watchdog.arm(2s);
  }
  EXPECT_EQ(contents(device()), "k") << "a daemon exiting while armed must still be rebooted";
}

TEST_F(LinuxWatchdogTest, RefusesTimeoutsBelowOneSecond) {
  LinuxWatchdog watchdog(fake_options());
  try {
    watchdog.arm(900ms);
    FAIL() << "a 900 ms timeout was accepted";
  } catch (const FenceError& error) {
    EXPECT_EQ(std::string(error.what()),
              "watchdog devices count whole seconds; a timeout of 900 ms is too short");
  }
  EXPECT_FALSE(watchdog.armed());
}

TEST_F(LinuxWatchdogTest, ACharacterDeviceThatIsNoWatchdogIsRefusedAndLeftDisarmed) {
  LinuxWatchdogOptions options = fake_options();
  options.device = "/dev/null";
  options.require_character_device = true;
  LinuxWatchdog watchdog(options);
  try {
    watchdog.arm(5s);
    FAIL() << "/dev/null was accepted as a watchdog";
  } catch (const FenceError& error) {
    EXPECT_NE(std::string(error.what()).find("/dev/null: WDIOC_SETTIMEOUT 5 s failed"),
              std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(watchdog.armed());
}

TEST_F(LinuxWatchdogTest, FenceWritesTheReasonFirstThenRebootsThroughSysrq) {
  // A FIFO as the trigger lets the test look at the moment 'b' arrives:
  // the reason record must already be on disk then.
  std::filesystem::remove(sysrq());
  ASSERT_EQ(::mkfifo(sysrq().c_str(), 0600), 0);
  bool record_present_at_reboot = false;
  std::string trigger_bytes;
  std::thread kernel([&] {
    const int fd = ::open(sysrq().c_str(), O_RDONLY);
    char byte = 0;
    while (::read(fd, &byte, 1) == 1) {
      if (trigger_bytes.empty()) {
        record_present_at_reboot = std::filesystem::exists(state() / "fence-reason.json");
      }
      trigger_bytes += byte;
    }
    ::close(fd);
  });
  LinuxWatchdog watchdog(fake_options());
  watchdog.arm(10s);
  EXPECT_NO_THROW(watchdog.fence_now("host 2 lost the statefile and the network"));
  // Should the fence not have opened the trigger, this opening ends the
  // reader's wait; otherwise it finds no reader left and does nothing.
  const int unblock = ::open(sysrq().c_str(), O_WRONLY | O_NONBLOCK);
  if (unblock >= 0) ::close(unblock);
  kernel.join();
  EXPECT_EQ(trigger_bytes, "b");
  EXPECT_TRUE(record_present_at_reboot);

  const auto record = read_fence_record(state());
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->host, "host-a");
  EXPECT_EQ(record->decided_by, FenceCause::kEngineRequest);
  EXPECT_EQ(record->reason, "host 2 lost the statefile and the network");
  EXPECT_EQ(record->fencer, "kernel watchdog " + device().string());
  ASSERT_EQ(record->actions.size(), 1u);
  EXPECT_EQ(record->actions[0].kind, FenceAction::Kind::kReboot);
  EXPECT_EQ(record->actions[0].trigger, sysrq().string());
  EXPECT_FALSE(record->complete);
}

TEST_F(LinuxWatchdogTest, AFenceThatCannotRebootThrowsButKeepsTheRecord) {
  LinuxWatchdogOptions options = fake_options();
  options.sysrq_trigger = dir_.path() / "missing" / "sysrq-trigger";
  LinuxWatchdog watchdog(options);
  watchdog.arm(10s);
  EXPECT_THROW(watchdog.fence_now("cannot reboot"), FenceError);
  const auto record = read_fence_record(state());
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->reason, "cannot reboot");
  EXPECT_TRUE(watchdog.armed()) << "the armed device still fires when kicks stop";
}

}  // namespace
}  // namespace poolha::fence

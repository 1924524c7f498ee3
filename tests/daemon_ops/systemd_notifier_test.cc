// SystemdNotifier and WatchdogKeepalive against a fake systemd: a Unix
// datagram socket in a temporary directory named by NOTIFY_SOCKET, with
// WATCHDOG_USEC and WATCHDOG_PID set as systemd would set them.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "daemon/ops/systemd_notifier.h"
#include "daemon/ops/watchdog_keepalive.h"
#include "scoped_environment.h"

namespace poolha::daemon {
namespace {

using test_support::ScopedEnvironment;

// The listening end of NOTIFY_SOCKET.
class FakeSystemd {
 public:
  FakeSystemd() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "poolha-notify-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    }
    directory_ = pattern;
    path_ = (directory_ / "notify").string();
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(address.sun_path)) throw std::runtime_error("socket path too long");
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::system_error(errno, std::generic_category(), "bind");
    }
  }
  ~FakeSystemd() {
    ::close(fd_);
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  FakeSystemd(const FakeSystemd&) = delete;
  FakeSystemd& operator=(const FakeSystemd&) = delete;

  const std::string& path() const { return path_; }

  // The next message, waiting up to 5 s; std::nullopt if none came.
  std::optional<std::string> receive() {
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    return read(0);
  }
  // Every message already waiting, without blocking.
  std::vector<std::string> drain() {
    std::vector<std::string> messages;
    while (auto message = read(MSG_DONTWAIT)) messages.push_back(*message);
    return messages;
  }

 private:
  std::optional<std::string> read(int flags) {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), flags);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  std::filesystem::path directory_;
  std::string path_;
  int fd_ = -1;
};

class SystemdNotifierTest : public ::testing::Test {
 protected:
  SystemdNotifierTest() {
    env.set("NOTIFY_SOCKET", systemd.path());
    env.unset("WATCHDOG_USEC");
    env.unset("WATCHDOG_PID");
  }

  void watch_this_process(const std::string& usec) {
    env.set("WATCHDOG_USEC", usec);
    env.set("WATCHDOG_PID", std::to_string(::getpid()));
  }

  ScopedEnvironment env;
  FakeSystemd systemd;
};

TEST_F(SystemdNotifierTest, MessagesArriveAtTheNotifySocket) {
  SystemdNotifier notifier;
  EXPECT_TRUE(notifier.active());
  notifier.ready();
  EXPECT_EQ(systemd.receive(), "READY=1");
  notifier.status("member of a 3-host liveset, epoch 12");
  EXPECT_EQ(systemd.receive(), "STATUS=member of a 3-host liveset, epoch 12");
  notifier.keepalive();
  EXPECT_EQ(systemd.receive(), "WATCHDOG=1");
  notifier.stopping();
  EXPECT_EQ(systemd.receive(), "STOPPING=1");
}

TEST_F(SystemdNotifierTest, StatusStaysOneAssignment) {
  SystemdNotifier notifier;
  notifier.status("first line\nREADY=1");
  EXPECT_EQ(systemd.receive(), "STATUS=first line READY=1");
}

TEST_F(SystemdNotifierTest, WatchdogIntervalIsHalfTheTimeout) {
  watch_this_process("3000000");
  SystemdNotifier notifier;
  EXPECT_EQ(notifier.watchdog_interval(), std::optional<Duration>(std::chrono::milliseconds(1500)));
}

TEST_F(SystemdNotifierTest, NoWatchdogWithoutTimeout) {
  SystemdNotifier notifier;
  EXPECT_EQ(notifier.watchdog_interval(), std::nullopt);
}

TEST_F(SystemdNotifierTest, WatchdogMeantForAnotherProcessIsIgnored) {
  env.set("WATCHDOG_USEC", "3000000");
  env.set("WATCHDOG_PID", std::to_string(::getpid() + 1));
  SystemdNotifier notifier;
  EXPECT_EQ(notifier.watchdog_interval(), std::nullopt);
}

TEST_F(SystemdNotifierTest, BadWatchdogSettingsAreRefused) {
  watch_this_process("soon");
  EXPECT_THROW(SystemdNotifier(), std::system_error);
  watch_this_process("1000");
  EXPECT_THROW(SystemdNotifier(), std::runtime_error);
}

TEST_F(SystemdNotifierTest, UnreachableSocketIsAnError) {
  env.set("NOTIFY_SOCKET", systemd.path() + ".missing");
  SystemdNotifier notifier;
  EXPECT_THROW(notifier.ready(), std::system_error);
}

TEST_F(SystemdNotifierTest, NothingIsSentOutsideSystemd) {
  env.unset("NOTIFY_SOCKET");
  watch_this_process("3000000");
  SystemdNotifier notifier;
  EXPECT_FALSE(notifier.active());
  EXPECT_EQ(notifier.watchdog_interval(), std::nullopt);
  EXPECT_NO_THROW(notifier.ready());
  EXPECT_NO_THROW(notifier.status("x"));
  EXPECT_NO_THROW(notifier.keepalive());
  EXPECT_NO_THROW(notifier.stopping());
  EXPECT_EQ(systemd.drain(), std::vector<std::string>{});
}

// Runs `loop` until `systemd` has received `wanted` keep-alives or 10 s pass.
std::size_t collect_keepalives(asio::io_context& loop, FakeSystemd& systemd, std::size_t wanted) {
  std::size_t received = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (received < wanted && std::chrono::steady_clock::now() < give_up) {
    loop.run_for(std::chrono::milliseconds(10));
    for (const std::string& message : systemd.drain()) {
      EXPECT_EQ(message, "WATCHDOG=1");
      ++received;
    }
  }
  return received;
}

TEST_F(SystemdNotifierTest, KeepalivesComeFromTheLoopUntilStopped) {
  watch_this_process("40000");  // a keep-alive every 20 ms
  SystemdNotifier notifier;
  asio::io_context loop;
  WatchdogKeepalive keepalive(loop, notifier);
  ASSERT_TRUE(keepalive.start());
  // The first is sent at once, before the loop runs.
  EXPECT_EQ(systemd.drain(), std::vector<std::string>{"WATCHDOG=1"});
  EXPECT_EQ(collect_keepalives(loop, systemd, 3), 3u);

  keepalive.stop();
  loop.restart();
  loop.run_for(std::chrono::milliseconds(100));  // five intervals
  EXPECT_EQ(systemd.drain(), std::vector<std::string>{});
}

TEST_F(SystemdNotifierTest, KeepalivesStopWithTheirOwner) {
  watch_this_process("40000");
  SystemdNotifier notifier;
  asio::io_context loop;
  {
    WatchdogKeepalive keepalive(loop, notifier);
    ASSERT_TRUE(keepalive.start());
  }
  EXPECT_EQ(systemd.drain(), std::vector<std::string>{"WATCHDOG=1"});
  loop.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(systemd.drain(), std::vector<std::string>{});
}

TEST_F(SystemdNotifierTest, KeepaliveDoesNothingWithoutWatchdog) {
  SystemdNotifier notifier;
  asio::io_context loop;
  WatchdogKeepalive keepalive(loop, notifier);
  EXPECT_FALSE(keepalive.start());
  EXPECT_EQ(loop.run(), 0u);  // no timer was set
  EXPECT_EQ(systemd.drain(), std::vector<std::string>{});
}

}  // namespace
}  // namespace poolha::daemon

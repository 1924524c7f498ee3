// NbdBlockDevice against a qemu-nbd the test starts on 127.0.0.1, serving a
// plain image file: round trips, sharing between two connections, the
// alignment and bounds rules, a clear error when nothing listens, and
// reconnecting after the server is killed and started again.
#include "io/nbd_block_device.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <asio/ip/tcp.hpp>

#include "io/io_error.h"
#include "io_error_text.h"
#include "network_namespace.h"
#include "temp_dir.h"

extern char** environ;

namespace poolha::io {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kImageSize = 1024 * 1024;
// How long a call may take before the test calls it hung; far above what
// any bounded call here needs, so it only catches calls that never return.
constexpr auto kHangLimit = std::chrono::seconds(30);

using testing::error_of;
using testing::NetworkNamespace;

std::uint16_t free_tcp_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

bool port_accepts(std::uint16_t port) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  asio::error_code ec;
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

Bytes patterned_block(std::uint8_t seed) {
  Bytes block(kBlockAlignment);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::uint8_t>(seed + i * 7);
  return block;
}

// Runs `call` on another thread and returns its IoError message (or "no
// error"), failing the test if it does not return within kHangLimit.
template <typename F>
std::string error_of_bounded_call(F call) {
  auto pending = std::async(std::launch::async, [call] { return error_of(call); });
  if (pending.wait_for(kHangLimit) != std::future_status::ready) {
    ADD_FAILURE() << "the call did not return";
    std::abort();  // the blocked thread cannot be joined
  }
  return pending.get();
}

// A qemu-nbd in the foreground, so the test owns the process and stops it by
// PID; optionally inside a network namespace (through `ip netns exec`, which
// execs qemu-nbd in place, so the PID is qemu-nbd's).
class QemuNbdServer {
 public:
  QemuNbdServer(std::filesystem::path image, std::filesystem::path log, std::uint16_t port,
                const NetworkNamespace* ns = nullptr)
      : image_(std::move(image)), log_(std::move(log)), port_(port), ns_(ns) {}
  ~QemuNbdServer() { stop(SIGTERM); }
  QemuNbdServer(const QemuNbdServer&) = delete;
  QemuNbdServer& operator=(const QemuNbdServer&) = delete;

  // Empty once it listens, otherwise why not. `spawned` tells whether the
  // process could be started at all (false: the tool is missing).
  std::string start(bool* spawned = nullptr) {
    const std::string port = std::to_string(port_);
    const std::string image = image_.string();
    std::vector<const char*> argv;
    if (ns_ != nullptr) argv = {"ip", "netns", "exec", ns_->name().c_str()};
    for (const char* arg : {"qemu-nbd", "-b", "127.0.0.1", "-p", port.c_str(), "-f", "raw", "-x",
                            "poolha", "--persistent", "--shared=4", image.c_str()}) {
      argv.push_back(arg);
    }
    argv.push_back(nullptr);
    // Its messages go to a log (the readiness probe below makes it complain
    // about a client that hung up), shown if it fails to start.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int error = posix_spawnp(&pid_, argv[0], &actions, nullptr,
                                   const_cast<char* const*>(argv.data()), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != nullptr) *spawned = error == 0;
    if (error != 0) {
      pid_ = 0;
      return fmt::format("cannot start {}: {}", argv[0], std::strerror(error));
    }
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!listening()) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return fmt::format("qemu-nbd exited before listening (status {}): {}", status, log());
      }
      if (std::chrono::steady_clock::now() > limit) return "qemu-nbd is not listening: " + log();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  // Sends `signal` and reaps the process (SIGKILL: a crash of the server).
  void stop(int signal) {
    if (pid_ <= 0) return;
    kill(pid_, SIGCONT);  // a paused server must be able to act on SIGTERM
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
  }

  // Returns once the server is stopped, so it answers nothing from then on.
  void pause() {
    ASSERT_GT(pid_, 0);
    ASSERT_EQ(kill(pid_, SIGSTOP), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid_, &status, WUNTRACED), pid_);
    ASSERT_TRUE(WIFSTOPPED(status));
  }

  void resume() {
    ASSERT_GT(pid_, 0);
    ASSERT_EQ(kill(pid_, SIGCONT), 0);
  }

  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  bool listening() const {
    if (ns_ == nullptr) return port_accepts(port_);
    const NetworkNamespace::Entered inside(*ns_);
    return port_accepts(port_);
  }

  std::filesystem::path image_;
  std::filesystem::path log_;
  std::uint16_t port_;
  const NetworkNamespace* ns_;
  pid_t pid_ = 0;
};

// A TCP socket on 127.0.0.1 that listens but never accepts: connections
// complete in the kernel's backlog and then hear nothing, as from a server
// that hangs before its NBD greeting.
class SilentListener {
 public:
  explicit SilentListener(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
    if (fd_ < 0 || ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
        ::listen(fd_, 16) != 0) {
      error_ = std::strerror(errno);
    }
  }
  ~SilentListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

class NbdBlockDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = dir_.path() / "sr.img";
    testing::make_zero_file(image_, kImageSize);
    port_ = free_tcp_port();
    server_ = std::make_unique<QemuNbdServer>(image_, dir_.path() / "qemu-nbd.log", port_);
    bool spawned = false;
    const std::string failure = server_->start(&spawned);
    if (!spawned) GTEST_SKIP() << failure;
    ASSERT_EQ(failure, "");
  }

  void TearDown() override { server_.reset(); }

  std::string uri() const { return fmt::format("nbd://127.0.0.1:{}/poolha", port_); }

  Bytes image_contents() const {
    std::ifstream in(image_, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }

  testing::TempDir dir_;
  std::filesystem::path image_;
  std::uint16_t port_ = 0;
  std::unique_ptr<QemuNbdServer> server_;
};

TEST_F(NbdBlockDeviceTest, RoundTripAndSharedBetweenConnections) {
  NbdBlockDevice writer(uri());
  EXPECT_EQ(writer.size(), kImageSize);
  EXPECT_EQ(writer.name(), uri());
  Bytes slot(8192);
  for (std::size_t i = 0; i < slot.size(); ++i) slot[i] = static_cast<std::uint8_t>(i * 13 + 1);
  writer.write(16384, slot);
  writer.flush();
  EXPECT_EQ(writer.read(16384, 8192), slot);
  EXPECT_EQ(writer.read(12288, 4096), Bytes(4096, 0));

  // Another host's connection sees the write, and so does the image file.
  NbdBlockDevice reader(uri());
  EXPECT_EQ(reader.read(16384, 8192), slot);
  const Bytes file = image_contents();
  ASSERT_EQ(file.size(), kImageSize);
  EXPECT_TRUE(std::equal(slot.begin(), slot.end(), file.begin() + 16384));

  // A whole-device read.
  const Bytes all = reader.read(0, kImageSize);
  EXPECT_TRUE(std::equal(slot.begin(), slot.end(), all.begin() + 16384));
}

TEST_F(NbdBlockDeviceTest, MisalignedAndOutOfRangeRequestsAreRefused) {
  NbdBlockDevice device(uri());
  EXPECT_THAT(error_of([&] { device.write(100, Bytes(4096, 1)); }),
              HasSubstr("must be multiples of 4096"));
  EXPECT_THAT(error_of([&] { device.read(0, 100); }), HasSubstr("must be multiples of 4096"));
  EXPECT_THAT(error_of([&] { device.read(kImageSize, 4096); }), HasSubstr("past the end"));
  EXPECT_EQ(image_contents(), Bytes(kImageSize, 0));
}

TEST(NbdBlockDevice, NothingListeningFailsClearly) {
  const std::uint16_t port = free_tcp_port();
  const std::string uri = fmt::format("nbd://127.0.0.1:{}/poolha", port);
  EXPECT_THAT(error_of([&] { NbdBlockDevice device(uri); }), HasSubstr("cannot connect to " + uri));
}

TEST_F(NbdBlockDeviceTest, ReconnectsAfterTheServerRestarts) {
  NbdBlockDevice device(uri());
  const Bytes before = patterned_block(3);
  device.write(8192, before);
  device.flush();
  EXPECT_TRUE(device.connected());

  server_->stop(SIGKILL);
  // The request that meets the dead connection fails; it is not retried.
  EXPECT_THAT(error_of([&] { device.read(8192, kBlockAlignment); }),
              HasSubstr("the connection is lost"));
  EXPECT_FALSE(device.connected());

  // While the server is down, requests and new devices fail, and return.
  const std::string cannot_connect = "cannot connect to " + uri();
  EXPECT_THAT(error_of_bounded_call([&] { device.read(8192, kBlockAlignment); }),
              HasSubstr(cannot_connect));
  EXPECT_THAT(error_of_bounded_call([&] { device.write(0, patterned_block(4)); }),
              HasSubstr(cannot_connect));
  EXPECT_THAT(error_of_bounded_call([&] { device.flush(); }), HasSubstr(cannot_connect));
  EXPECT_THAT(error_of_bounded_call([&] { NbdBlockDevice opened(uri()); }),
              HasSubstr(cannot_connect));
  EXPECT_FALSE(device.connected());
  EXPECT_EQ(device.reconnects(), 0u);

  ASSERT_EQ(server_->start(), "");
  EXPECT_EQ(device.read(8192, kBlockAlignment), before);
  EXPECT_TRUE(device.connected());
  EXPECT_EQ(device.reconnects(), 1u);
  EXPECT_EQ(device.size(), kImageSize);

  // Writes work on the new connection; the refused write never happened.
  const Bytes after = patterned_block(5);
  device.write(0, after);
  const Bytes file = image_contents();
  ASSERT_EQ(file.size(), kImageSize);
  EXPECT_TRUE(std::equal(after.begin(), after.end(), file.begin()));
  EXPECT_TRUE(std::equal(before.begin(), before.end(), file.begin() + 8192));
  EXPECT_EQ(device.reconnects(), 1u);
}

TEST_F(NbdBlockDeviceTest, ReconnectingToAServerThatNeverAnswersIsBounded) {
  NbdBlockDevice device(uri(),
                        NbdBlockDeviceOptions{.connect_timeout = std::chrono::milliseconds(200)});
  server_->stop(SIGKILL);
  EXPECT_THAT(error_of([&] { device.read(0, kBlockAlignment); }),
              HasSubstr("the connection is lost"));

  // The port accepts TCP connections but no NBD greeting ever comes.
  const SilentListener silent(port_);
  ASSERT_EQ(silent.error(), "");
  EXPECT_THAT(error_of_bounded_call([&] { device.read(0, kBlockAlignment); }),
              HasSubstr("cannot connect to " + uri() +
                        ": the server did not complete the "
                        "connection and handshake within 200 ms"));
  EXPECT_THAT(error_of_bounded_call([&] {
                NbdBlockDevice opened(
                    uri(),
                    NbdBlockDeviceOptions{.connect_timeout = std::chrono::milliseconds(200)});
              }),
              HasSubstr("within 200 ms"));
  EXPECT_FALSE(device.connected());
}

TEST_F(NbdBlockDeviceTest, ReconnectRefusesAnExportOfAnotherSize) {
  NbdBlockDevice device(uri());
  server_->stop(SIGKILL);
  EXPECT_THAT(error_of([&] { device.read(0, kBlockAlignment); }),
              HasSubstr("the connection is lost"));

  // Another disk, served under the same address and name.
  const std::filesystem::path other = dir_.path() / "other.img";
  testing::make_zero_file(other, 2 * kImageSize);
  QemuNbdServer other_server(other, dir_.path() / "other.log", port_);
  ASSERT_EQ(other_server.start(), "");
  EXPECT_THAT(
      error_of([&] { device.write(0, patterned_block(6)); }),
      HasSubstr(fmt::format("the export now holds {} bytes, not {}", 2 * kImageSize, kImageSize)));
  EXPECT_FALSE(device.connected());
  EXPECT_EQ(device.size(), kImageSize);
  EXPECT_EQ(image_contents(), Bytes(kImageSize, 0));
}

// A daemon starts while its storage is down: the device opens anyway, fails
// requests while the server is away and connects on the first request after
// it is back.
TEST_F(NbdBlockDeviceTest, OpensWhileTheServerIsDownWhenToldTheSizeItNeeds) {
  server_->stop(SIGKILL);
  const NbdBlockDeviceOptions waiting{.connect_timeout = std::chrono::milliseconds(500),
                                      .size_if_unreachable = kImageSize / 2};
  std::unique_ptr<NbdBlockDevice> device;
  EXPECT_EQ(
      error_of_bounded_call([&] { device = std::make_unique<NbdBlockDevice>(uri(), waiting); }),
      "no error");
  ASSERT_NE(device, nullptr);
  EXPECT_FALSE(device->connected());
  EXPECT_EQ(device->size(), kImageSize / 2);
  EXPECT_THAT(error_of_bounded_call([&] { device->read(0, kBlockAlignment); }),
              HasSubstr("cannot connect to " + uri()));

  ASSERT_EQ(server_->start(), "");
  const Bytes block = patterned_block(7);
  device->write(4096, block);
  EXPECT_EQ(device->read(4096, kBlockAlignment), block);
  EXPECT_TRUE(device->connected());
  EXPECT_EQ(device->reconnects(), 0u) << "the first connection is no reconnection";
  EXPECT_EQ(device->size(), kImageSize);
}

TEST_F(NbdBlockDeviceTest, AnExportFoundLaterMustHoldTheSizeItWasOpenedFor) {
  server_->stop(SIGKILL);
  NbdBlockDevice device(uri(), NbdBlockDeviceOptions{.size_if_unreachable = 2 * kImageSize});
  ASSERT_EQ(server_->start(), "");
  EXPECT_THAT(error_of([&] { device.read(0, kBlockAlignment); }),
              HasSubstr(fmt::format("the export holds {} bytes but {} are needed", kImageSize,
                                    2 * kImageSize)));
  EXPECT_FALSE(device.connected());
  // A server that answers at once is held to the same size.
  EXPECT_THAT(error_of([&] {
                NbdBlockDevice opened(uri(),
                                      NbdBlockDeviceOptions{.size_if_unreachable = 2 * kImageSize});
              }),
              HasSubstr("are needed"));
}

// A request the server has not answered is waited for, never abandoned for
// a new connection, so it cannot land after a later request.
TEST_F(NbdBlockDeviceTest, AnUnansweredRequestIsWaitedForOnItsConnection) {
  NbdBlockDevice device(uri());
  const Bytes block = patterned_block(7);
  device.write(4096, block);

  server_->pause();
  auto pending = std::async(std::launch::async, [&device] { return device.read(4096, 4096); });
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "a stopped server answered";
  server_->resume();
  ASSERT_EQ(pending.wait_for(kHangLimit), std::future_status::ready);
  EXPECT_EQ(pending.get(), block);
  EXPECT_TRUE(device.connected());
  EXPECT_EQ(device.reconnects(), 0u);
}

// The daemon's namespace pool opens devices from inside a host's network
// namespace and uses them from elsewhere: a reconnection must reach what
// that namespace reaches, not what the calling thread's namespace reaches.
TEST_F(NbdBlockDeviceTest, ReconnectsInTheNetworkNamespaceItWasOpenedIn) {
  const std::string unavailable = NetworkNamespace::unavailable_reason();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  NetworkNamespace ns;
  ns.run("ip link set lo up");
  server_->stop(SIGTERM);  // its port is served inside the namespace instead
  QemuNbdServer inside_server(image_, dir_.path() / "inside.log", port_, &ns);
  ASSERT_EQ(inside_server.start(), "");

  std::unique_ptr<NbdBlockDevice> device;
  {
    const NetworkNamespace::Entered inside(ns);
    device = std::make_unique<NbdBlockDevice>(uri());
  }
  const Bytes block = patterned_block(9);
  device->write(12288, block);

  inside_server.stop(SIGKILL);
  EXPECT_THAT(error_of([&] { device->read(12288, kBlockAlignment); }),
              HasSubstr("the connection is lost"));
  ASSERT_EQ(inside_server.start(), "");
  // Nothing listens on this port in the calling thread's namespace.
  ASSERT_FALSE(port_accepts(port_));
  EXPECT_EQ(device->read(12288, kBlockAlignment), block);
  EXPECT_EQ(device->reconnects(), 1u);
}

}  // namespace
}  // namespace poolha::io

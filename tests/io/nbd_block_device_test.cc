// NbdBlockDevice against a qemu-nbd the test starts on 127.0.0.1, serving a
// plain image file: round trips, sharing between two connections, the
// alignment and bounds rules, and a clear error when nothing listens.
#include "io/nbd_block_device.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include <fmt/format.h>
#include <asio/ip/tcp.hpp>

#include "io/io_error.h"
#include "io_error_text.h"
#include "temp_dir.h"

extern char** environ;

namespace poolha::io {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kImageSize = 1024 * 1024;

using testing::error_of;

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

class NbdBlockDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = dir_.path() / "sr.img";
    testing::make_zero_file(image_, kImageSize);
    port_ = free_tcp_port();
    const std::string port = std::to_string(port_);
    const std::string image = image_.string();
    // Foreground, so the test owns the process and stops it by PID.
    std::vector<const char*> argv{
        "qemu-nbd", "-b",     "127.0.0.1",    "-p",         port.c_str(),  "-f",   "raw",
        "-x",       "poolha", "--persistent", "--shared=4", image.c_str(), nullptr};
    // Its messages go to a log (the readiness probe below makes it complain
    // about a client that hung up), shown if it fails to start.
    log_ = dir_.path() / "qemu-nbd.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int error = posix_spawnp(&pid_, "qemu-nbd", &actions, nullptr,
                                   const_cast<char* const*>(argv.data()), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
      pid_ = 0;
      GTEST_SKIP() << "cannot start qemu-nbd: " << std::strerror(error);
    }
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!port_accepts(port_)) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        FAIL() << "qemu-nbd exited before listening (status " << status << "): " << log();
      }
      if (std::chrono::steady_clock::now() > limit)
        FAIL() << "qemu-nbd is not listening: " << log();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = 0;
    }
  }

  std::string uri() const { return fmt::format("nbd://127.0.0.1:{}/poolha", port_); }

  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  Bytes image_contents() const {
    std::ifstream in(image_, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }

  testing::TempDir dir_;
  std::filesystem::path image_;
  std::filesystem::path log_;
  std::uint16_t port_ = 0;
  pid_t pid_ = 0;
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

}  // namespace
}  // namespace poolha::io

// The writer and the oracle on a VM disk served over NBD, as in a chaos
// pool: a qemu-nbd the test starts on 127.0.0.1 and stops by PID serves a
// plain image. A VM restarted on another connection continues the log; two
// connections writing at once are a double run. Skipped without qemu-nbd.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <asio/ip/tcp.hpp>

#include "../support/temp_dir.h"
#include "io/nbd_block_device.h"
#include "oracle/commands.h"
#include "oracle/disk_open.h"
#include "oracle/disk_writer.h"
#include "oracle/verdict_report.h"
#include "oracle_test_support.h"

extern char** environ;

namespace poolha::oracle {
namespace {

using testing::boot_id;
using ::testing::HasSubstr;
using testing::kVmA;

constexpr std::uint64_t kNbdImageSize = 1024 * 1024;

std::uint16_t unused_loopback_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

bool loopback_port_accepts(std::uint16_t port) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  asio::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

class NbdDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = dir_.path() / "vm.img";
    testing::make_zero_file(image_, kNbdImageSize);
    port_ = unused_loopback_port();
    const std::string port = std::to_string(port_);
    const std::string image = image_.string();
    std::vector<const char*> argv{"qemu-nbd",   "-b",          "127.0.0.1", "-p", port.c_str(),
                                  "-f",         "raw",         "-x",        "vm", "--persistent",
                                  "--shared=4", image.c_str(), nullptr};
    log_ = dir_.path() / "qemu-nbd.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // Not --fork: the test owns the server process and stops it by PID.
    const int error = posix_spawnp(&server_pid_, "qemu-nbd", &actions, nullptr,
                                   const_cast<char* const*>(argv.data()), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
      server_pid_ = 0;
      GTEST_SKIP() << "qemu-nbd cannot be started (" << std::strerror(error)
                   << "); install qemu-utils to run the NBD disk tests";
    }
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!loopback_port_accepts(port_)) {
      int status = 0;
      if (waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
        server_pid_ = 0;
        FAIL() << "qemu-nbd exited before listening: " << server_log();
      }
      if (std::chrono::steady_clock::now() > limit) FAIL() << "qemu-nbd is not listening";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void TearDown() override {
    if (server_pid_ > 0) {
      kill(server_pid_, SIGTERM);
      int status = 0;
      waitpid(server_pid_, &status, 0);
      server_pid_ = 0;
    }
  }

  std::string uri() const { return fmt::format("nbd://127.0.0.1:{}/vm", port_); }

  std::string server_log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Runs a writer of `boot` on its own connection until it acknowledged
  // `records` records.
  void run_boot(BootId boot, std::size_t records, const std::filesystem::path& ack_log) {
    io::NbdBlockDevice disk(uri());
    AckLogFile acks(ack_log);
    DiskWriter writer(disk, acks, kVmA, boot);
    std::atomic<bool> stop{false};
    std::size_t seen = 0;
    run_disk_writer(writer, std::chrono::milliseconds(1), stop, [&](const AckEntry&) {
      if (++seen == records) stop = true;
    });
  }

  daemon::test_support::TempDir dir_;
  std::filesystem::path image_;
  std::filesystem::path log_;
  std::uint16_t port_ = 0;
  pid_t server_pid_ = 0;
};

TEST_F(NbdDiskTest, ARestartedVmContinuesItsLogOverNbd) {
  const std::filesystem::path acks = dir_.path() / "acks.log";
  run_boot(boot_id(1), 12, acks);
  run_boot(boot_id(2), 9, acks);  // failed over: a new connection, a new boot

  // Judged through the export and through the image file the server wrote.
  DiskOracleCommandOptions options;
  options.ack_logs = {acks};
  for (const std::string& disk : {uri(), image_.string()}) {
    options.disks = {kVmA + "=" + disk};
    std::ostringstream out, err;
    EXPECT_EQ(run_disk_oracle_command(options, out, err), 0) << out.str() << err.str();
    EXPECT_THAT(out.str(),
                HasSubstr("vm " + kVmA + ": 2 boots, 21 records, 21 acked, no overlap, 0 lost"));
  }
}

TEST_F(NbdDiskTest, TwoHostsRunningTheVmAtOnceAreCaught) {
  const std::filesystem::path acks_a = dir_.path() / "host-a.log";
  const std::filesystem::path acks_b = dir_.path() / "host-b.log";
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> count_a{0}, count_b{0};
  io::NbdBlockDevice disk_a(uri());
  AckLogFile log_a(acks_a);
  DiskWriter writer_a(disk_a, log_a, kVmA, boot_id(1));
  std::string error_a = "no error";
  std::thread run_a([&] {
    error_a = testing::error_of([&] {
      run_disk_writer(writer_a, std::chrono::milliseconds(1), stop,
                      [&](const AckEntry&) { ++count_a; });
    });
  });
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (count_a < 5 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  io::NbdBlockDevice disk_b(uri());
  AckLogFile log_b(acks_b);
  DiskWriter writer_b(disk_b, log_b, kVmA, boot_id(2));
  const std::size_t a_when_b_started = count_a;
  std::string error_b = testing::error_of([&] {
    run_disk_writer(writer_b, std::chrono::milliseconds(1), stop, [&](const AckEntry&) {
      if (++count_b >= 20 && count_a >= a_when_b_started + 20) stop = true;
      if (std::chrono::steady_clock::now() > limit) stop = true;
    });
  });
  stop = true;
  run_a.join();
  EXPECT_EQ(error_a, "no error");
  EXPECT_EQ(error_b, "no error");
  ASSERT_GE(count_b.load(), 20u) << "the writers made no progress";

  DiskOracleCommandOptions options;
  options.disks = {kVmA + "=" + image_.string()};
  options.ack_logs = {acks_a, acks_b};
  std::ostringstream out, err;
  EXPECT_EQ(run_disk_oracle_command(options, out, err), 1) << out.str() << err.str();
  EXPECT_THAT(out.str(), HasSubstr("DOUBLE RUN: boots " + boot_id(1).hex() + " and " +
                                   boot_id(2).hex() + " overlap by"));
}

}  // namespace
}  // namespace poolha::oracle

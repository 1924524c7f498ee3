// The process fencer end to end, with real processes: the fencer, a fake
// daemon talking to it through ProcessFencerClient, and fake VMs, each in
// its own process group recorded in a VmProcessRegistry, are all children
// of the test. Forking happens before any thread exists in this process.
#include "fence/process_fencer.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "fence/fence_record.h"
#include "fence/process_fencer_client.h"
#include "temp_dir.h"
#include "vm/process_registry.h"

namespace poolha::fence {
namespace {

// Bounds the waits for things that must happen, so a broken fencer fails
// the test instead of hanging it. Not a performance expectation.
constexpr auto kPatience = std::chrono::seconds(20);

bool killed_by_sigkill(int status) {
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

class ProcessFencerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.socket_path = dir_.path() / "run" / "fencer.sock";
    options_.state_dir = dir_.path() / "state";
    options_.vm_registry_dir = dir_.path() / "vms";
    options_.host_name = "host-a";
  }

  void TearDown() override {
    // The fencer goes first, so it cannot act on children being cleaned up.
    if (fencer_ > 0) {
      ::kill(fencer_, SIGTERM);
      if (!wait_for_exit(fencer_)) {
        ::kill(fencer_, SIGKILL);
        wait_for_exit(fencer_);
      }
    }
    for (pid_t pid : std::vector<pid_t>(children_)) {
      ::kill(pid, SIGKILL);
      wait_for_exit(pid);
    }
    for (int fd : report_fds_) ::close(fd);
  }

  // Runs `body` in a child process that exits with its result.
  pid_t fork_child(const std::function<int()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int code = 99;
      try {
        code = body();
      } catch (...) {
      }
      ::_exit(code);
    }
    EXPECT_GT(pid, 0) << "fork failed";
    children_.push_back(pid);
    return pid;
  }

  // The exit status, once the child has ended; std::nullopt after kPatience.
  std::optional<int> wait_for_exit(pid_t pid) {
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) {
        std::erase(children_, pid);
        if (pid == fencer_) fencer_ = 0;
        return status;
      }
      if (done < 0) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
  }

  bool still_running(pid_t pid) {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == 0;
  }

  void start_fencer() {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    fencer_ = fork_child([&] {
      ::close(ready[0]);
      ProcessFencer fencer(options_);  // listening once constructed
      fencer.stop_on_termination_signals();
      const char byte = 'R';
      if (::write(ready[1], &byte, 1) != 1) return 3;
      ::close(ready[1]);
      fencer.run();
      return 0;
    });
    ::close(ready[1]);
    report_fds_.push_back(ready[0]);
    ASSERT_EQ(read_report(ready[0]), "R") << "the fencer did not start";
  }

  // A fake VM: a process that waits for signals in a group of its own,
  // recorded the way a VM driver records it.
  pid_t start_vm(const std::string& uuid) {
    const pid_t pid = fork_child([] {
      ::setpgid(0, 0);
      for (;;) ::pause();
      return 0;
    });
    ::setpgid(pid, pid);  // both sides, so the group exists before it is recorded
    vm::VmProcessRegistry(options_.vm_registry_dir).record(uuid, pid);
    return pid;
  }

  // A fake daemon: runs `script` with a client connected to the fencer and
  // a way to tell the test how far it got.
  // A daemon that arms the fencer for a minute and then only waits; returns
  // once it has armed.
  pid_t start_armed_idle_daemon(int& report_fd) {
    const pid_t daemon = start_daemon(
        [](ProcessFencerClient& client, const auto& report) {
          client.arm(std::chrono::seconds(60));
          report("armed");
          for (;;) ::pause();
          return 0;
        },
        report_fd);
    EXPECT_EQ(read_report(report_fd), "armed");
    return daemon;
  }

  pid_t start_daemon(
      const std::function<int(ProcessFencerClient&,
                              const std::function<void(const std::string&)>&)>& script,
      int& report_fd) {
    int channel[2];
    EXPECT_EQ(::pipe(channel), 0);
    const pid_t pid = fork_child([&] {
      ::close(channel[0]);
      const auto report = [fd = channel[1]](const std::string& text) {
        const std::string line = text + "\n";
        if (::write(fd, line.data(), line.size()) < 0) ::_exit(98);
      };
      try {
        ProcessFencerClient client({options_.socket_path});
        return script(client, report);
      } catch (const std::exception& error) {
        report(std::string("error: ") + error.what());
        return 97;
      }
    });
    ::close(channel[1]);
    report_fds_.push_back(channel[0]);
    report_fd = channel[0];
    return pid;
  }

  // One line from a child, without its newline; "" after kPatience or EOF.
  static std::string read_report(int fd) {
    std::string line;
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < give_up) {
      pollfd readable{fd, POLLIN, 0};
      if (::poll(&readable, 1, 100) <= 0) continue;
      char byte = 0;
      if (::read(fd, &byte, 1) != 1) break;
      if (byte == '\n') break;
      line += byte;
    }
    return line;
  }

  // The record with every outcome: the fencer rewrites it after the kills,
  // so the first version may still be the one written before them.
  FenceRecord complete_fence_record() {
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    std::optional<FenceRecord> record;
    while (std::chrono::steady_clock::now() < give_up) {
      record = read_fence_record(options_.state_dir);
      if (record && record->complete) return *record;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << (record ? "the fence record was never completed" : "no fence-reason.json");
    return record.value_or(FenceRecord{});
  }

  static const FenceAction* action_for(const FenceRecord& record, FenceAction::Kind kind,
                                       std::int64_t id) {
    for (const FenceAction& action : record.actions) {
      if (action.kind == kind && action.id == id) return &action;
    }
    return nullptr;
  }

  void expect_killed(pid_t pid, const char* what) {
    const auto status = wait_for_exit(pid);
    ASSERT_TRUE(status.has_value()) << what << " still runs";
    EXPECT_TRUE(killed_by_sigkill(*status)) << what << " ended otherwise, status " << *status;
  }

  testing::TempDir dir_;
  FencerOptions options_;
  pid_t fencer_ = 0;
  std::vector<pid_t> children_;
  std::vector<int> report_fds_;
};

constexpr const char* kVm1 = "6a1f0c2e-0000-4000-8000-000000000001";
constexpr const char* kVm2 = "6a1f0c2e-0000-4000-8000-000000000002";

TEST_F(ProcessFencerTest, MissedKicksKillEveryVmGroupAndTheDaemon) {
  start_fencer();
  const pid_t vm1 = start_vm(kVm1);
  const pid_t vm2 = start_vm(kVm2);
  int reports = -1;
  const pid_t daemon = start_daemon(
      [](ProcessFencerClient& client, const auto& report) {
        if (auto problem = client.check()) {
          report("check: " + *problem);
          return 2;
        }
        client.arm(std::chrono::milliseconds(300));
        for (int i = 0; i < 5; ++i) {
          client.kick();
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        report("kicked");
        for (;;) ::pause();  // hung: no more kicks
        return 0;
      },
      reports);
  ASSERT_EQ(read_report(reports), "kicked");

  expect_killed(vm1, "VM 1");
  expect_killed(vm2, "VM 2");
  expect_killed(daemon, "the daemon");

  const FenceRecord record = complete_fence_record();
  EXPECT_EQ(record.host, "host-a");
  EXPECT_EQ(record.decided_by, FenceCause::kMissedKicks);
  EXPECT_NE(record.reason.find("no kick for"), std::string::npos) << record.reason;
  EXPECT_NE(record.reason.find("(watchdog timeout 300 ms)"), std::string::npos) << record.reason;
  EXPECT_TRUE(record.complete);
  EXPECT_TRUE(record.problems.empty());
  const FenceAction* daemon_kill = action_for(record, FenceAction::Kind::kKillDaemon, daemon);
  ASSERT_NE(daemon_kill, nullptr);
  EXPECT_EQ(daemon_kill->outcome, FenceAction::Outcome::kDone);
  for (const auto& [uuid, pid] : {std::pair{kVm1, vm1}, std::pair{kVm2, vm2}}) {
    const FenceAction* vm_kill = action_for(record, FenceAction::Kind::kKillVmGroup, pid);
    ASSERT_NE(vm_kill, nullptr) << uuid;
    EXPECT_EQ(vm_kill->vm, uuid);
    EXPECT_EQ(vm_kill->outcome, FenceAction::Outcome::kDone);
  }

  // The fencer keeps serving: the next daemon can arm and disarm it.
  EXPECT_EQ(ProcessFencerClient({options_.socket_path}).check(), std::nullopt);
  const pid_t next = start_daemon(
      [](ProcessFencerClient& client, const auto&) {
        client.arm(std::chrono::seconds(5));
        client.kick();
        client.disarm();
        return 0;
      },
      reports);
  const auto status = wait_for_exit(next);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status;
}

TEST_F(ProcessFencerTest, ADisarmedDaemonDisconnectingKillsNothing) {
  start_fencer();
  const pid_t vm1 = start_vm(kVm1);
  const pid_t vm2 = start_vm(kVm2);
  int reports = -1;
  const pid_t daemon = start_daemon(
      [](ProcessFencerClient& client, const auto&) {
        client.arm(std::chrono::milliseconds(200));
        client.kick();
        client.disarm();
        return 0;  // disconnects
      },
      reports);
  const auto status = wait_for_exit(daemon);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "status " << *status << ": " << read_report(reports);
  // Longer than the armed timeout: a disarm that did not take would have
  // fenced by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_TRUE(still_running(vm1));
  EXPECT_TRUE(still_running(vm2));
  EXPECT_FALSE(std::filesystem::exists(options_.state_dir / "fence-reason.json"));
  EXPECT_EQ(ProcessFencerClient({options_.socket_path}).check(), std::nullopt);
}

TEST_F(ProcessFencerTest, AFenceRequestKillsAtOnce) {
  start_fencer();
  const pid_t vm1 = start_vm(kVm1);
  const pid_t vm2 = start_vm(kVm2);
  int reports = -1;
  const pid_t daemon = start_daemon(
      [](ProcessFencerClient& client, const auto& report) {
        client.arm(std::chrono::seconds(60));
        report("armed");
        client.fence_now("this host lost the liveset");
        report("survived its own fence");
        return 4;
      },
      reports);
  ASSERT_EQ(read_report(reports), "armed");
  expect_killed(daemon, "the daemon");
  expect_killed(vm1, "VM 1");
  expect_killed(vm2, "VM 2");
  const FenceRecord record = complete_fence_record();
  EXPECT_EQ(record.decided_by, FenceCause::kEngineRequest);
  EXPECT_EQ(record.reason, "this host lost the liveset");
  EXPECT_EQ(record.actions.size(), 3u);
}

TEST_F(ProcessFencerTest, ADaemonThatDiesWhileArmedIsFenced) {
  start_fencer();
  const pid_t vm1 = start_vm(kVm1);
  int reports = -1;
  const pid_t daemon = start_armed_idle_daemon(reports);
  ::kill(daemon, SIGKILL);  // a crash
  expect_killed(daemon, "the daemon");
  expect_killed(vm1, "VM 1");
  const FenceRecord record = complete_fence_record();
  EXPECT_EQ(record.decided_by, FenceCause::kDaemonGone);
  const FenceAction* daemon_kill = action_for(record, FenceAction::Kind::kKillDaemon, daemon);
  ASSERT_NE(daemon_kill, nullptr);
  // Dead already, or a zombie the signal still reaches: either way gone.
  EXPECT_TRUE(daemon_kill->outcome == FenceAction::Outcome::kAlreadyGone ||
              daemon_kill->outcome == FenceAction::Outcome::kDone);
}

TEST_F(ProcessFencerTest, OnlyTheArmingDaemonMayChangeTheFencer) {
  start_fencer();
  int reports = -1;
  const pid_t daemon = start_armed_idle_daemon(reports);
  ProcessFencerClient other({options_.socket_path});
  EXPECT_EQ(other.check(), std::nullopt) << "anyone may ask for the status";
  try {
    other.arm(std::chrono::seconds(1));
    FAIL() << "a second daemon armed the fencer";
  } catch (const FenceError& error) {
    EXPECT_EQ(std::string(error.what()),
              "the fencer refused to arm: armed by the daemon with pid " + std::to_string(daemon) +
                  "; only its connection may change that");
  }
  EXPECT_TRUE(still_running(daemon));
}

TEST_F(ProcessFencerTest, StoppingAnArmedFencerFences) {
  start_fencer();
  const pid_t vm1 = start_vm(kVm1);
  int reports = -1;
  const pid_t daemon = start_armed_idle_daemon(reports);
  const pid_t fencer = fencer_;
  ::kill(fencer, SIGTERM);
  const auto fencer_status = wait_for_exit(fencer);
  ASSERT_TRUE(fencer_status.has_value());
  EXPECT_TRUE(WIFEXITED(*fencer_status) && WEXITSTATUS(*fencer_status) == 0);
  expect_killed(daemon, "the daemon");
  expect_killed(vm1, "VM 1");
  EXPECT_EQ(complete_fence_record().decided_by, FenceCause::kFencerStopped);
  EXPECT_FALSE(std::filesystem::exists(options_.socket_path)) << "the socket is removed";
}

TEST_F(ProcessFencerTest, ASecondFencerOnTheSamePathIsRefused) {
  start_fencer();
  try {
    ProcessFencer second(options_);
    FAIL() << "two fencers on one socket";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()),
              "a fencer is already listening at " + options_.socket_path.string());
  }
}

TEST_F(ProcessFencerTest, AStaleSocketFileIsReplaced) {
  std::filesystem::create_directories(options_.socket_path.parent_path());
  const int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = options_.socket_path.string();
  std::copy(path.begin(), path.end(), address.sun_path);
  ASSERT_EQ(::bind(stale, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(stale);  // the file stays, nobody listens
  start_fencer();
  EXPECT_EQ(ProcessFencerClient({options_.socket_path}).check(), std::nullopt);
}

TEST_F(ProcessFencerTest, WithoutAFencerTheClientSaysSo) {
  const std::filesystem::path nowhere = dir_.path() / "no-fencer.sock";
  ProcessFencerClient client({nowhere});
  EXPECT_EQ(client.check(),
            "no fencer listening at " + nowhere.string() + " (connect: No such file or directory)");
  EXPECT_THROW(client.kick(), FenceError);
  EXPECT_THROW(client.arm(std::chrono::seconds(1)), FenceError);
  EXPECT_THROW(client.fence_now("no fencer"), FenceError);
  EXPECT_NO_THROW(client.disarm()) << "never armed: nothing to disarm";
}

}  // namespace
}  // namespace poolha::fence

// read_process_file: a process that is gone reads as nullopt, never as an
// exception, even through a descriptor opened while it still ran.
#include "common/process_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

namespace poolha {
namespace {

// A child that waits to be killed.
pid_t start_sleeping_child() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  return pid;
}

void kill_and_reap(pid_t pid) {
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
}

TEST(ProcessFileTest, ReadsTheStatOfALiveProcess) {
  const std::optional<std::string> stat = read_process_file(::getpid(), "stat");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->rfind(std::to_string(::getpid()) + " (", 0), 0u) << *stat;
}

TEST(ProcessFileTest, AProcessThatIsGoneReadsAsNothing) {
  const pid_t child = start_sleeping_child();
  ASSERT_GT(child, 0);
  EXPECT_TRUE(read_process_file(child, "cmdline").has_value());
  kill_and_reap(child);
  EXPECT_FALSE(read_process_file(child, "stat").has_value());
  EXPECT_FALSE(read_process_file(child, "cmdline").has_value());
}

TEST(ProcessFileTest, AFileOpenedWhileTheProcessRanReadsAsNothingOnceItIsGone) {
  for (const char* name : {"stat", "status", "cmdline"}) {
    const pid_t child = start_sleeping_child();
    ASSERT_GT(child, 0);
    const std::string path = "/proc/" + std::to_string(child) + "/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << path;
    kill_and_reap(child);
    // The kernel answers ESRCH here; std::ifstream would throw.
    EXPECT_FALSE(read_rest_of_file(fd).has_value()) << name;
    ::close(fd);
  }
}

}  // namespace
}  // namespace poolha

// The spawn step every local-process VM driver uses: a child is held before
// exec until the driver has recorded its process group.
#include "vm/process/spawn.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "process_test_support.h"

namespace poolha::vm {
namespace {

using testing::ScratchDir;

std::string command_line_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text;
  std::getline(in, text, '\0');
  return text;
}

int wait_for_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

TEST(ProcessSpawn, TheChildExecsOnlyAfterBeforeExecReturned) {
  ScratchDir dir;
  const std::filesystem::path marker = dir.path() / "ran";
  SpawnRequest request;
  request.argv = {"/bin/sh", "-c", "touch '" + marker.string() + "'"};
  std::string seen_before_exec;
  request.before_exec = [&](pid_t pid) {
    // Held: the child is still a copy of this process and has run nothing.
    seen_before_exec = command_line_of(pid);
    EXPECT_FALSE(std::filesystem::exists(marker));
  };
  SpawnedProcess spawned = spawn_session_leader(request);
  EXPECT_NE(seen_before_exec, "/bin/sh");
  const int status = wait_for_exit(spawned.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(std::filesystem::exists(marker));
}

TEST(ProcessSpawn, AFailedBeforeExecRunsNothing) {
  ScratchDir dir;
  const std::filesystem::path marker = dir.path() / "ran";
  SpawnRequest request;
  request.argv = {"/bin/sh", "-c", "touch '" + marker.string() + "'"};
  pid_t held = 0;
  request.before_exec = [&](pid_t pid) {
    held = pid;
    throw std::runtime_error("registry is read-only");
  };
  EXPECT_THROW(spawn_session_leader(request), std::runtime_error);
  ASSERT_GT(held, 0);
  EXPECT_NE(::kill(held, 0), 0);  // killed and reaped
  EXPECT_FALSE(std::filesystem::exists(marker));
}

}  // namespace
}  // namespace poolha::vm

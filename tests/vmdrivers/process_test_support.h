// Shared by the process and QEMU driver tests: a scratch directory, running
// the event loop until something happened, and reading small files.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

#include "vm/vm_driver.h"

namespace poolha::vm::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "poolha-vm-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs handlers until `done` holds or `timeout` passes; returns `done()`.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(20));
    if (io.stopped()) io.restart();
  }
  return done();
}

// Collects one operation's result.
struct ResultSlot {
  std::optional<VmResult> result;
  VmDriver::Done callback() {
    return [this](VmResult r) { result = std::move(r); };
  }
  bool ready() const { return result.has_value(); }
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Kills a process group left behind by a failed test.
inline void kill_group(pid_t group) {
  if (group > 0 && group != ::getpgrp()) ::kill(-group, SIGKILL);
}

// Runs one start or stop through the event loop and returns its answer,
// checking that the driver never answers inside the call.
inline VmResult run_operation(asio::io_context& io,
                              const std::function<void(VmDriver::Done)>& operation,
                              std::chrono::milliseconds wait) {
  ResultSlot slot;
  operation(slot.callback());
  EXPECT_FALSE(slot.ready()) << "done must not run inside the call";
  EXPECT_TRUE(run_until(
      io, [&] { return slot.ready(); }, wait));
  return slot.result.value_or(VmResult{false, "no answer"});
}

}  // namespace poolha::vm::testing

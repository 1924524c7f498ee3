// A BlockDevice in memory for tests: records every call in order, can be
// made to hold calls (a hung disk) until released, and can fail writes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/block_device.h"
#include "io/io_error.h"

namespace poolha::io::testing {

class MemoryBlockDevice final : public BlockDevice {
 public:
  explicit MemoryBlockDevice(std::size_t size) : data_(size) {}

  const std::string& name() const override { return name_; }
  std::uint64_t size() const override { return data_.size(); }

  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) override {
    check_block_request(*this, "read", offset, length);
    enter(fmt::format("read {}+{}", offset, length));
    const std::lock_guard lock(mutex_);
    return {data_.begin() + static_cast<std::ptrdiff_t>(offset),
            data_.begin() + static_cast<std::ptrdiff_t>(offset + length)};
  }
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    check_block_request(*this, "write", offset, bytes.size());
    enter(fmt::format("write {}+{}", offset, bytes.size()));
    const std::lock_guard lock(mutex_);
    if (fail_writes_) throw IoError("injected write failure");
    std::copy(bytes.begin(), bytes.end(), data_.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  void flush() override { enter("flush"); }

  // While held, every call blocks (after being logged) until release().
  void hold() {
    const std::lock_guard lock(mutex_);
    held_ = true;
  }
  // Holds the calls after the first `count` calls (counting from the start).
  void hold_after(std::size_t count) {
    const std::lock_guard lock(mutex_);
    hold_after_ = count;
  }
  void release() {
    {
      const std::lock_guard lock(mutex_);
      held_ = false;
      hold_after_.reset();
    }
    changed_.notify_all();
  }
  void fail_writes(bool fail) {
    const std::lock_guard lock(mutex_);
    fail_writes_ = fail;
  }
  // Blocks until `count` calls have returned from the hold.
  void wait_for_returns(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return returned_ >= count; });
  }
  std::vector<std::string> calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<std::uint8_t> contents() const {
    const std::lock_guard lock(mutex_);
    return data_;
  }

 private:
  void enter(std::string call) {
    std::unique_lock lock(mutex_);
    calls_.push_back(std::move(call));
    const std::size_t index = calls_.size() - 1;
    changed_.wait(lock, [&] { return !held_ && !(hold_after_ && index >= *hold_after_); });
    ++returned_;
    changed_.notify_all();
  }

  std::string name_ = "memory";
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::uint8_t> data_;
  std::vector<std::string> calls_;
  std::size_t returned_ = 0;
  bool held_ = false;
  std::optional<std::size_t> hold_after_;
  bool fail_writes_ = false;
};

}  // namespace poolha::io::testing

// The host's boot counter: the incarnation the membership engine publishes.
// It lives in a small file in the daemon's state directory and grows by one,
// durably, on every daemon start (and for every further engine within one
// run), so no two lives of this host ever share an incarnation. Never 0.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>

namespace poolha::daemon {

class BootCounterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BootCounter {
 public:
  static constexpr const char* kFileName = "boot-counter";

  // Reads <state_dir>/boot-counter (a missing file counts as 0), adds one and
  // writes it back durably before returning. Throws BootCounterError when the
  // file holds anything but a counter, the counter is exhausted, or the write
  // fails.
  explicit BootCounter(const std::filesystem::path& state_dir);

  std::uint32_t value() const { return value_; }
  // Counts one more start (a new engine in this run), durably; returns it.
  std::uint32_t advance();
  const std::filesystem::path& path() const { return path_; }

 private:
  void store(std::uint32_t value);

  std::filesystem::path path_;
  std::uint32_t value_ = 0;
};

}  // namespace poolha::daemon

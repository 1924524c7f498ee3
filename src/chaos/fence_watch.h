// Notices fences while a chaos run goes on: each host's fencer writes a
// fence reason record into the host's state directory (what `poolha
// fence-reason` shows), and the record survives the fence and the reboot.
// A record that was not there, or differs from the last one seen, is a new
// fence; records present when the watch starts are old.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fence/fence_record.h"

namespace poolha::chaos {

struct FenceEvent {
  std::size_t host = 0;  // index into the watched directories
  fence::FenceRecord record;
};

class FenceWatch {
 public:
  explicit FenceWatch(std::vector<std::filesystem::path> state_dirs);

  // Fences recorded since the last poll. A record that cannot be read yet
  // (being replaced) is looked at again next time.
  std::vector<FenceEvent> poll();
  std::size_t fences() const { return fences_; }

 private:
  // What tells two fences of one host apart: the second write of a record
  // (with the outcomes) keeps its time, cause and reason.
  struct Key {
    std::int64_t unix_ms = 0;
    std::string cause;
    std::string reason;
    bool operator==(const Key&) const = default;
  };
  static std::optional<Key> read_key(const std::filesystem::path& state_dir,
                                     std::optional<fence::FenceRecord>* record);

  std::vector<std::filesystem::path> state_dirs_;
  std::vector<std::optional<Key>> seen_;
  std::size_t fences_ = 0;
};

// One line: "host-2 fenced: missed-kicks: no kick for 2507 ms (watchdog
// timeout 2500 ms); killed the daemon and 2 VM(s)".
std::string describe_fence(const fence::FenceRecord& record);

}  // namespace poolha::chaos

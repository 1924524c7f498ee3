// Follows a host's ack log while disk-writer VMs append to it, the way
// `tail -f` would: each read returns the acknowledgements appended since the
// previous one. The ack log is where a disk-writer VM says "this record is
// on my disk": its first line from a new boot is the earliest moment the
// VM is known to be doing work again, stamped by the VM itself with
// CLOCK_MONOTONIC, the clock the benchmark reads too, so the time is exact
// whatever the polling interval.
//
// Lines are handled as the oracle's loader handles them (oracle/ack_log.h):
// a line that has no newline yet is kept until it is complete, and a line
// a later writer marked " torn" is skipped, as are lines that do not parse.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oracle/ack_log.h"

namespace poolha::benchpool {

class AckLogTail {
 public:
  explicit AckLogTail(std::filesystem::path path) : path_(std::move(path)) {}

  // The complete entries appended since the last call (or since
  // skip_to_end). A missing file has none yet; a file that shrank (made
  // anew) is read again from its start.
  std::vector<oracle::AckEntry> read_new();
  // Forgets everything the file holds now.
  void skip_to_end();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::uint64_t offset_ = 0;
  std::string partial_;  // the start of a line whose newline is not written yet
};

// The complete lines of `buffer` as entries, in order; what follows the
// last newline stays in `buffer`. Torn and unparsable lines are dropped.
std::vector<oracle::AckEntry> take_complete_ack_lines(std::string& buffer);

}  // namespace poolha::benchpool

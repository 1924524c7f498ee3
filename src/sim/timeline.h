// The human-readable record of a run: one line per notable thing, prefixed
// with the virtual time. Recording is optional (random sweeps skip it for
// speed); callers test enabled() before formatting a line. The FNV-1a hash of
// all lines is what determinism tests compare.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/virtual_time.h"

namespace poolha::sim {

class Timeline {
 public:
  struct Options {
    bool keep = false;             // store lines (to print them later)
    std::ostream* echo = nullptr;  // print each line as it is added
    bool hash = false;             // maintain the hash even when not keeping lines
  };

  Timeline() = default;
  explicit Timeline(Options options) : options_(options) {}

  bool enabled() const { return options_.keep || options_.echo != nullptr || options_.hash; }
  void add(VirtualTime at, std::string_view text);

  const std::vector<std::string>& lines() const { return lines_; }
  std::uint64_t hash() const { return hash_; }
  std::uint64_t line_count() const { return count_; }

 private:
  Options options_;
  std::vector<std::string> lines_;
  std::uint64_t hash_ = 0xCBF29CE484222325ull;
  std::uint64_t count_ = 0;
};

}  // namespace poolha::sim

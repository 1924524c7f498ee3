// Every interval during which a VM's domain existed on some host, across the
// whole simulated pool. It is the ground truth behind "a VM never runs
// twice": it sees domains the HA layer may not know about (on a hung host,
// or one that has not fenced yet).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolha::vm {

struct RunInterval {
  std::string vm;
  std::uint16_t host = 0;
  std::int64_t started_us = 0;
  std::optional<std::int64_t> stopped_us;  // open while the domain exists
};

class RunLedger {
 public:
  // Records a domain coming into existence. Returns (and keeps in clashes())
  // a description of the other host the VM already runs on, if any: the
  // double-run violation.
  std::optional<std::string> on_start(const std::string& vm, std::uint16_t host,
                                      std::int64_t now_us);
  void on_stop(const std::string& vm, std::uint16_t host, std::int64_t now_us);

  // Hosts the VM runs on right now.
  std::vector<std::uint16_t> hosts_running(const std::string& vm) const;
  const std::vector<RunInterval>& history() const { return history_; }
  std::size_t starts() const { return history_.size(); }
  const std::vector<std::string>& clashes() const { return clashes_; }

 private:
  std::vector<RunInterval> history_;
  std::multimap<std::string, std::size_t> open_;
  std::vector<std::string> clashes_;  // vm -> index into history_
};

}  // namespace poolha::vm

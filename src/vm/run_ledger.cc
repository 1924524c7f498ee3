#include "vm/run_ledger.h"

#include "common/check.h"

namespace poolha::vm {

std::optional<std::string> RunLedger::on_start(const std::string& vm, std::uint16_t host,
                                               std::int64_t now_us) {
  std::optional<std::string> clash;
  auto [begin, end] = open_.equal_range(vm);
  for (auto it = begin; it != end; ++it) {
    const RunInterval& other = history_[it->second];
    POOLHA_CHECK(other.host != host, "a host starts a VM it already runs");
    clash = vm + " started on h" + std::to_string(host) + " while it runs on h" +
            std::to_string(other.host) + " since " + std::to_string(other.started_us) + "us";
  }
  if (clash) clashes_.push_back(*clash);
  open_.emplace(vm, history_.size());
  history_.push_back(RunInterval{vm, host, now_us, std::nullopt});
  return clash;
}

void RunLedger::on_stop(const std::string& vm, std::uint16_t host, std::int64_t now_us) {
  auto [begin, end] = open_.equal_range(vm);
  for (auto it = begin; it != end; ++it) {
    RunInterval& interval = history_[it->second];
    if (interval.host != host) continue;
    interval.stopped_us = now_us;
    open_.erase(it);
    return;
  }
  POOLHA_CHECK(false, "a VM stopped on a host where it did not run");
}

std::vector<std::uint16_t> RunLedger::hosts_running(const std::string& vm) const {
  std::vector<std::uint16_t> hosts;
  auto [begin, end] = open_.equal_range(vm);
  for (auto it = begin; it != end; ++it) hosts.push_back(history_[it->second].host);
  return hosts;
}

}  // namespace poolha::vm

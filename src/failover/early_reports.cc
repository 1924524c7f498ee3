#include "failover/early_reports.h"

#include <tuple>
#include <utility>

namespace poolha::failover {

void EarlyReports::keep(const HostReport& report) {
  auto [it, inserted] = newest_.try_emplace(report.host, report);
  if (inserted) return;
  const HostReport& kept = it->second;
  // A host's sequence counts within one incarnation, and its epoch only grows.
  if (std::tie(report.epoch, report.incarnation, report.sequence) >
      std::tie(kept.epoch, kept.incarnation, kept.sequence)) {
    it->second = report;
  }
}

std::vector<HostReport> EarlyReports::take(std::uint64_t epoch) {
  std::vector<HostReport> out;
  for (auto it = newest_.begin(); it != newest_.end();) {
    if (it->second.epoch > epoch) {
      ++it;
      continue;
    }
    if (it->second.epoch == epoch) out.push_back(std::move(it->second));
    it = newest_.erase(it);
  }
  return out;
}

std::vector<HostReport> EarlyReports::take_all() {
  std::vector<HostReport> out;
  for (auto& [host, report] : newest_) out.push_back(std::move(report));
  newest_.clear();
  return out;
}

}  // namespace poolha::failover

#include "chaos/pool_observer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>

namespace poolha::chaos {

PoolObserver::PoolObserver(localpool::LocalPool& pool)
    : pool_(pool), sessions_(pool.host_count()) {}

PoolObserver::~PoolObserver() = default;

void PoolObserver::start_poll(const std::vector<bool>& ask) {
  if (polling()) return;
  pending_.resize(pool_.host_count());
  for (std::size_t i = 0; i < pool_.host_count(); ++i) {
    // A session kept across a reboot of its host fails at its next use and
    // is replaced then; dropping it here would log out over a link that may
    // be cut, and stall the run.
    if (!ask.at(i)) continue;
    // Each task touches only its own host's session.
    pending_[i] =
        std::async(std::launch::async, [this, i]() -> std::optional<localpool::PoolSnapshot> {
          try {
            if (!sessions_[i]) {
              sessions_[i] = pool_.api(i, std::chrono::seconds(3));
            }
            return localpool::read_snapshot(sessions_[i]->client());
          } catch (const std::exception&) {
            sessions_[i].reset();
            return std::nullopt;
          }
        });
  }
}

std::optional<std::vector<HostAnswer>> PoolObserver::collect() {
  if (!polling()) return std::nullopt;
  for (const auto& answer : pending_) {
    if (answer.valid() && answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      return std::nullopt;
    }
  }
  std::vector<HostAnswer> answers;
  for (std::size_t i = 0; i < pool_.host_count(); ++i) {
    HostAnswer answer;
    answer.host = pool_.host(i).name;
    if (pending_[i].valid()) answer.snapshot = pending_[i].get();
    answers.push_back(std::move(answer));
  }
  pending_.clear();
  return answers;
}

std::vector<std::string> PoolObserver::changes(const std::vector<HostAnswer>& answers,
                                               std::optional<double> since_fault) {
  std::vector<std::string> lines;
  const std::string views = describe_views(answers);
  if (views != last_views_) {
    lines.push_back(views);
    last_views_ = views;
  }
  const HostAnswer* reference = reference_answer(answers);
  if (!reference) return lines;
  // By name, so a pool's VMs are listed in the same order every time.
  std::vector<std::pair<std::string, const localpool::VmState*>> vms;
  for (const auto& entry : reference->snapshot->vms) vms.emplace_back(entry.first, &entry.second);
  std::sort(vms.begin(), vms.end(), [](const auto& a, const auto& b) {
    return a.second->name.size() != b.second->name.size()
               ? a.second->name.size() < b.second->name.size()
               : a.second->name < b.second->name;
  });
  for (const auto& entry : vms) {
    const localpool::VmState& vm = *entry.second;
    const VmSeen now{vm.power_state, vm.resident_on};
    const auto old = vms_.find(entry.first);
    if (old != vms_.end() && old->second.power_state == now.power_state &&
        old->second.resident_on == now.resident_on) {
      continue;
    }
    // A VM first seen halted has not been started yet: nothing to report.
    if (old == vms_.end() && vm.power_state != "Running") {
      vms_[entry.first] = now;
      continue;
    }
    const std::string was =
        old == vms_.end() || old->second.resident_on.empty() ? "" : old->second.resident_on;
    if (vm.power_state == "Running") {
      std::string line = vm.name + " running on " + vm.resident_on;
      if (!was.empty() && was != vm.resident_on) line += " (was on " + was + ")";
      if (since_fault) line += fmt::format(", {:.1f} s after the fault", *since_fault);
      lines.push_back(line);
    } else {
      lines.push_back(vm.name + " " + vm.power_state +
                      (was.empty() ? "" : " (was on " + was + ")"));
    }
    vms_[entry.first] = now;
  }
  return lines;
}

}  // namespace poolha::chaos

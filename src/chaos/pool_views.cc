#include "chaos/pool_views.h"

#include <map>
#include <set>
#include <utility>

namespace poolha::chaos {
namespace {

std::set<std::string> live_names(const localpool::PoolSnapshot& snapshot) {
  std::set<std::string> live;
  for (const auto& entry : snapshot.hosts) {
    if (entry.second.live) live.insert(entry.second.name);
  }
  return live;
}

std::string joined(const std::set<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : " ") + name;
  return text.empty() ? "(empty)" : text;
}

}  // namespace

std::vector<std::string> settle_problems(const std::vector<std::string>& hosts,
                                         const std::vector<HostAnswer>& answers, bool check_vms) {
  std::vector<std::string> problems;
  std::optional<std::string> master;
  std::string master_seen_by;
  const std::set<std::string> everyone(hosts.begin(), hosts.end());
  std::set<std::string> answered;
  for (const HostAnswer& answer : answers) {
    if (!answer.snapshot) continue;
    answered.insert(answer.host);
    const std::set<std::string> live = live_names(*answer.snapshot);
    for (const std::string& host : everyone) {
      if (!live.contains(host)) problems.push_back(answer.host + " sees " + host + " dead");
    }
    const std::string& named = answer.snapshot->master;
    if (named.empty()) {
      problems.push_back(answer.host + " knows no master");
    } else if (!master) {
      master = named;
      master_seen_by = answer.host;
    } else if (*master != named) {
      problems.push_back(answer.host + " names master " + named + ", " + master_seen_by +
                         " names " + *master);
    }
  }
  for (const std::string& host : hosts) {
    if (!answered.contains(host)) problems.push_back(host + " does not answer");
  }
  const HostAnswer* reference = check_vms ? reference_answer(answers) : nullptr;
  if (reference) {
    for (const auto& entry : reference->snapshot->vms) {
      const localpool::VmState& vm = entry.second;
      if (vm.restart_priority != "restart") continue;
      if (vm.power_state != "Running") {
        problems.push_back(vm.name + " " + vm.power_state);
      } else if (!everyone.contains(vm.resident_on)) {
        problems.push_back(vm.name + " runs on no host of the pool");
      }
    }
  }
  return problems;
}

std::string describe_views(const std::vector<HostAnswer>& answers) {
  // (liveset, master) -> the hosts seeing it, in the order they answered.
  std::vector<std::pair<std::pair<std::string, std::string>, std::vector<std::string>>> views;
  std::size_t answering = 0;
  for (const HostAnswer& answer : answers) {
    if (!answer.snapshot) continue;
    ++answering;
    const std::pair<std::string, std::string> view{
        joined(live_names(*answer.snapshot)),
        answer.snapshot->master.empty() ? "(none)" : answer.snapshot->master};
    auto it = views.begin();
    while (it != views.end() && it->first != view) ++it;
    if (it == views.end()) {
      views.push_back({view, {answer.host}});
    } else {
      it->second.push_back(answer.host);
    }
  }
  if (views.empty()) return "no host answers";
  std::string text;
  for (const auto& view : views) {
    if (!text.empty()) text += " | ";
    text += "liveset " + view.first.first + ", master " + view.first.second + " (seen by ";
    if (views.size() == 1 && answering == answers.size()) {
      text += "all " + std::to_string(answering);
    } else {
      std::string seen;
      for (const std::string& host : view.second) seen += (seen.empty() ? "" : " ") + host;
      text += seen;
    }
    text += ")";
  }
  return text;
}

const HostAnswer* reference_answer(const std::vector<HostAnswer>& answers) {
  // A host that just booted still shows its local copy of the database,
  // which may name it master; only a host that is in its own liveset speaks
  // for the pool.
  const HostAnswer* live_master = nullptr;
  const HostAnswer* live = nullptr;
  const HostAnswer* first = nullptr;
  for (const HostAnswer& answer : answers) {
    if (!answer.snapshot) continue;
    const bool self_live = live_names(*answer.snapshot).contains(answer.host);
    if (self_live && answer.snapshot->master == answer.host && !live_master) live_master = &answer;
    if (self_live && !live) live = &answer;
    if (!first) first = &answer;
  }
  return live_master ? live_master : live ? live : first;
}

}  // namespace poolha::chaos

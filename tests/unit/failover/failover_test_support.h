// Helpers for the failover tests: hand-made livesets, pools and reports, and
// a master whose coordinator is driven one input at a time.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "failover/coordinator.h"
#include "failover/host_agent.h"
#include "wire/view.h"

namespace poolha::failover::testing {

inline constexpr std::uint64_t kGiB = 1ull << 30;

inline TimePoint seconds(std::int64_t s) {
  return from_us(s * 1'000'000);
}

// A liveset of `members`, each at incarnation 1 unless listed in `incarnations`.
inline wire::Membership liveset(std::uint64_t epoch, std::initializer_list<HostIndex> members,
                                HostIndex master,
                                const std::map<HostIndex, std::uint32_t>& incarnations = {}) {
  wire::Membership m;
  m.epoch = epoch;
  m.master = master;
  for (HostIndex h : members) {
    m.members.insert(h);
    auto it = incarnations.find(h);
    m.incarnation[h] = it == incarnations.end() ? 1 : it->second;
  }
  return m;
}

// A VM running on `on` (or halted when `on` is kNoHost). A protected one has
// been started through the API, so it is to run always.
inline VmRecord vm_on(const std::string& uuid, HostIndex on, std::uint64_t gib,
                      RestartPriority priority = RestartPriority::kRestart) {
  VmRecord vm;
  vm.uuid = uuid;
  vm.name = uuid;
  vm.memory = gib * kGiB;
  vm.priority = priority;
  vm.always_run = priority == RestartPriority::kRestart && on != kNoHost;
  vm.power = on == kNoHost ? VmPower::kHalted : VmPower::kRunning;
  vm.resident_on = on;
  return vm;
}

inline PoolSnapshot pool_of(std::size_t hosts, std::uint64_t gib_each, std::vector<VmRecord> vms,
                            FailoverPolicy policy = {}) {
  PoolSnapshot pool;
  for (std::size_t h = 0; h < hosts; ++h) {
    pool.hosts.push_back(HostRecord{"host-" + std::to_string(h), gib_each * kGiB, true});
  }
  for (VmRecord& vm : vms) pool.vms.emplace(vm.uuid, std::move(vm));
  pool.policy = policy;
  return pool;
}

inline std::vector<VmCommand> commands_to(const CoordinatorReady& ready, HostIndex host) {
  std::vector<VmCommand> out;
  for (const auto& [h, c] : ready.commands) {
    if (h == host) out.push_back(c);
  }
  return out;
}

// The commands of a Ready for one VM, with the host each goes to.
inline std::vector<std::pair<HostIndex, VmCommand>> commands_for(const CoordinatorReady& ready,
                                                                 const std::string& vm) {
  std::vector<std::pair<HostIndex, VmCommand>> out;
  for (const auto& sent : ready.commands) {
    if (sent.second.vm.uuid == vm) out.push_back(sent);
  }
  return out;
}

inline std::vector<std::string> vms_commanded(const CoordinatorReady& ready) {
  std::vector<std::string> out;
  for (const auto& [h, c] : ready.commands) out.push_back(c.vm.uuid);
  std::sort(out.begin(), out.end());
  return out;
}

inline std::size_t alerts_named(const CoordinatorReady& ready, const std::string& name) {
  return static_cast<std::size_t>(std::count_if(ready.alerts.begin(), ready.alerts.end(),
                                                [&](const Alert& a) { return a.name == name; }));
}

inline const VmRecord* record_of(const CoordinatorReady& ready, const std::string& vm) {
  for (const VmRecord& r : ready.records) {
    if (r.uuid == vm) return &r;
  }
  return nullptr;
}

// A host's report, made by hand (Master::make_report numbers them itself).
inline HostReport host_report(std::uint64_t epoch, HostIndex host, std::uint32_t incarnation,
                              std::uint64_t sequence, std::vector<std::string> running = {}) {
  HostReport r;
  r.epoch = epoch;
  r.host = host;
  r.incarnation = incarnation;
  r.sequence = sequence;
  r.running = std::move(running);
  return r;
}

// A master (host 0, incarnation 1) whose coordinator is fed by hand. Every
// input returns what the coordinator made ready in answer to it.
class Master {
 public:
  explicit Master(PoolSnapshot pool, TimePoint now = seconds(1000), HostIndex self = 0)
      : coordinator_(self, 1, std::move(pool), now) {}

  Coordinator& coordinator() { return coordinator_; }
  const VmRecord& vm(const std::string& uuid) const { return coordinator_.vms().at(uuid); }

  CoordinatorReady announce(TimePoint now, const wire::Membership& m) {
    coordinator_.set_liveset(now, m);
    return coordinator_.take_ready();
  }

  // A report from `host` (at the coordinator's epoch unless given), with the
  // host's next report sequence.
  CoordinatorReady report(TimePoint now, HostIndex host, std::vector<std::string> running,
                          std::vector<VmHalt> halts = {}, std::uint32_t incarnation = 1) {
    coordinator_.receive(now, make_report(host, std::move(running), std::move(halts), incarnation));
    return coordinator_.take_ready();
  }

  HostReport make_report(HostIndex host, std::vector<std::string> running,
                         std::vector<VmHalt> halts = {}, std::uint32_t incarnation = 1) {
    HostReport r;
    r.epoch = coordinator_.liveset().epoch;
    r.host = host;
    r.incarnation = incarnation;
    r.sequence = ++sequence_[host];
    std::sort(running.begin(), running.end());
    r.running = std::move(running);
    r.halts = std::move(halts);
    return r;
  }

  // Every member reports what the database says runs on it.
  CoordinatorReady report_all(TimePoint now) {
    coordinator_.liveset().members.for_each([&](HostIndex h) {
      std::vector<std::string> running;
      for (const auto& [uuid, vm] : coordinator_.vms()) {
        if (vm.power == VmPower::kRunning && vm.resident_on == h) running.push_back(uuid);
      }
      coordinator_.receive(now, make_report(h, running, {}, coordinator_.liveset().incarnation[h]));
    });
    return coordinator_.take_ready();
  }

  CoordinatorReady answer(TimePoint now, HostIndex host, const VmCommand& command, bool ok,
                          std::string error = {}) {
    VmCommandResult r;
    r.epoch = coordinator_.liveset().epoch;
    r.host = host;
    r.id = command.id;
    r.vm = command.vm.uuid;
    r.ok = ok;
    r.error = std::move(error);
    r.report_sequence = sequence_[host];
    coordinator_.receive(now, r);
    return coordinator_.take_ready();
  }

  CoordinatorReady tick(TimePoint now) {
    coordinator_.tick(now);
    return coordinator_.take_ready();
  }

  std::uint64_t last_sequence(HostIndex host) { return sequence_[host]; }

 private:
  Coordinator coordinator_;
  std::map<HostIndex, std::uint64_t> sequence_;
};

// The master acting on epoch 1 {0,1,2}, every host having reported what the
// database says runs on it. Returns what that produced.
inline CoordinatorReady settle_epoch_1(Master& master, TimePoint now = seconds(1000)) {
  CoordinatorReady ready = master.announce(now, liveset(1, {0, 1, 2}, 0));
  CoordinatorReady reports = master.report_all(now);
  for (auto& c : reports.commands) ready.commands.push_back(std::move(c));
  for (auto& r : reports.records) ready.records.push_back(std::move(r));
  for (auto& a : reports.alerts) ready.alerts.push_back(std::move(a));
  return ready;
}

}  // namespace poolha::failover::testing

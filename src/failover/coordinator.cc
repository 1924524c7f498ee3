#include "failover/coordinator.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/check.h"
#include "failover/planner_input.h"
#include "planner/planner.h"

namespace poolha::failover {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

std::int64_t group_key(const VmRecord& vm) {
  // Negative orders are treated as "last", like xapi.
  return vm.order < 0 ? std::numeric_limits<std::int64_t>::max() : vm.order;
}

std::string mib(std::uint64_t bytes) {
  return std::to_string(bytes / kMiB) + " MiB";
}

}  // namespace

Coordinator::Coordinator(HostIndex self, std::uint32_t incarnation, PoolSnapshot pool,
                         TimePoint now)
    : self_(self),
      incarnation_(incarnation),
      hosts_(std::move(pool.hosts)),
      vms_(std::move(pool.vms)),
      policy_(pool.policy),
      status_(pool.status),
      next_wakeup_(now) {
  for (const auto& [uuid, vm] : vms_) {
    POOLHA_CHECK(uuid == vm.uuid, "VM records are keyed by their uuid");
    POOLHA_CHECK(vm.power == VmPower::kRunning || vm.resident_on == kNoHost,
                 "a halted VM resides nowhere");
  }
}

// ---- inputs -------------------------------------------------------------------

void Coordinator::set_liveset(TimePoint now, const wire::Membership& announced) {
  POOLHA_CHECK(announced.master == self_ && announced.contains(self_, incarnation_),
               "the coordinator runs on the master of the liveset it is given");
  const wire::Membership before = liveset_;
  const bool first = !have_liveset_;
  liveset_ = announced;
  have_liveset_ = true;
  std::erase_if(reports_, [&](const auto& r) {
    return !liveset_.contains(r.first, r.second.incarnation) || r.second.epoch < liveset_.epoch;
  });
  // Hosts that left: their fence deadline has passed (the engine announces a
  // removal only then), so whatever ran there has stopped.
  if (!first) {
    before.members.for_each([&](HostIndex h) {
      if (liveset_.contains(h, before.incarnation[h])) return;
      ready_.fenced.push_back(FencedHost{h, before.incarnation[h], liveset_.epoch});
    });
  } else {
    std::set<HostIndex> buried;
    for (const auto& [uuid, vm] : vms_) {
      if (vm.resident_on != kNoHost && !live(vm.resident_on)) buried.insert(vm.resident_on);
      if (vm.scheduled_on != kNoHost && !live(vm.scheduled_on)) buried.insert(vm.scheduled_on);
    }
    for (HostIndex h : buried) ready_.fenced.push_back(FencedHost{h, 0, liveset_.epoch});
  }
  // New capacity or lost capacity: every VM gets a fresh round of attempts.
  for (auto& [uuid, rs] : restarts_) {
    rs.gave_up = false;
    rs.attempts = 0;
    rs.next_try = now;
  }
  plan_dirty_ = true;
  step(now);
}

void Coordinator::receive(TimePoint now, const HostReport& report) {
  if (!have_liveset_ || report.epoch != liveset_.epoch ||
      !liveset_.contains(report.host, report.incarnation)) {
    return;
  }
  HostReportState& state = reports_[report.host];
  if (state.epoch == report.epoch && state.incarnation == report.incarnation &&
      report.sequence <= state.sequence) {
    return;  // an older report overtaken by a newer one
  }
  state.epoch = report.epoch;
  state.incarnation = report.incarnation;
  state.sequence = report.sequence;
  state.running = std::set<std::string>(report.running.begin(), report.running.end());
  for (const VmHalt& halt : report.halts) {
    auto it = vms_.find(halt.vm);
    if (it == vms_.end() || in_flight_.contains(halt.vm)) continue;
    VmRecord& vm = it->second;
    if (vm.power != VmPower::kRunning || vm.resident_on != report.host) continue;
    note(vm.name + " halted on h" + std::to_string(report.host) +
         (halt.cause == vm::HaltCause::kGuestShutdown ? " (shut down from inside the guest)"
                                                      : " (the guest crashed)"));
    record_halt(now, vm, halt.cause == vm::HaltCause::kGuestShutdown);
  }
  ready_.acks.emplace_back(report.host, ReportAck{liveset_.epoch, self_, report.sequence});
  reconcile(now, report.host);
  step(now);
}

void Coordinator::receive(TimePoint now, const VmCommandResult& result) {
  auto it = in_flight_.find(result.vm);
  if (it == in_flight_.end() || it->second.id != result.id || it->second.host != result.host) {
    return;  // not (or no longer) waited for; the host's report settles it
  }
  const InFlight sent = it->second;
  in_flight_.erase(it);
  VmRecord& vm = vms_.at(result.vm);
  if (sent.kind == VmCommand::Kind::kStop) {
    if (result.ok) {
      vm.power = VmPower::kHalted;
      vm.resident_on = kNoHost;
      update(vm);
      note(vm.name + " shut down");
    } else {
      note(vm.name + ": shutdown failed on h" + std::to_string(result.host) + ": " + result.error);
    }
  } else {
    finish_start(now, result.vm, result.ok, result.error);
  }
  step(now);
}

void Coordinator::tick(TimePoint now) {
  step(now);
}

// ---- operator actions ---------------------------------------------------------

ApiResult Coordinator::start_vm(TimePoint now, const std::string& uuid,
                                std::optional<HostIndex> on) {
  auto it = vms_.find(uuid);
  if (it == vms_.end()) return ApiResult::failure("UUID_INVALID");
  VmRecord& vm = it->second;
  if (vm.power != VmPower::kHalted || vm.scheduled_on != kNoHost || in_flight_.contains(uuid)) {
    return ApiResult::failure("VM_BAD_POWER_STATE");
  }
  const std::vector<std::uint64_t> free = free_memory();
  HostIndex target = kNoHost;
  if (on) {
    if (!live(*on) || !reported(*on)) return ApiResult::failure("HOST_OFFLINE");
    if (!hosts_[*on].enabled) return ApiResult::failure("HOST_DISABLED");
    if (free[*on] < vm.memory) return ApiResult::failure("HOST_NOT_ENOUGH_FREE_MEMORY");
    target = *on;
  } else {
    std::uint64_t best = 0;
    for (HostIndex h = 0; h < hosts_.size(); ++h) {
      if (live(h) && reported(h) && hosts_[h].enabled && free[h] >= vm.memory && free[h] > best) {
        best = free[h];
        target = h;
      }
    }
    if (target == kNoHost) return ApiResult::failure("HOST_NOT_ENOUGH_FREE_MEMORY");
  }
  VmRecord after = vm;
  after.always_run = vm.priority == RestartPriority::kRestart;
  after.power = VmPower::kRunning;
  after.resident_on = target;
  auto pool_after = vms_;
  pool_after[uuid] = after;
  if (plan_would_break(pool_after))
    return ApiResult::failure("HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN");
  vm.always_run = after.always_run;
  vm.scheduled_on = target;
  restarts_.erase(uuid);
  update(vm);
  send(now, target, VmCommand::Kind::kStart, vm);
  note("starting " + vm.name + " on h" + std::to_string(target) + " (operator)");
  step(now);
  return {};
}

ApiResult Coordinator::shutdown_vm(TimePoint now, const std::string& uuid) {
  auto it = vms_.find(uuid);
  if (it == vms_.end()) return ApiResult::failure("UUID_INVALID");
  VmRecord& vm = it->second;
  if (vm.power != VmPower::kRunning || in_flight_.contains(uuid)) {
    return ApiResult::failure("VM_BAD_POWER_STATE");
  }
  // Shut down on purpose: it must stay down, whatever its priority.
  vm.always_run = false;
  restarts_.erase(uuid);
  update(vm);
  send(now, vm.resident_on, VmCommand::Kind::kStop, vm);
  note("shutting down " + vm.name + " on h" + std::to_string(vm.resident_on) + " (operator)");
  step(now);
  return {};
}

ApiResult Coordinator::set_restart_priority(TimePoint now, const std::string& uuid,
                                            RestartPriority priority) {
  auto it = vms_.find(uuid);
  if (it == vms_.end()) return ApiResult::failure("UUID_INVALID");
  VmRecord after = it->second;
  after.priority = priority;
  after.always_run = priority == RestartPriority::kRestart &&
                     (after.power == VmPower::kRunning || after.always_run);
  auto pool_after = vms_;
  pool_after[uuid] = after;
  if (after.is_protected() && !it->second.is_protected() && plan_would_break(pool_after)) {
    return ApiResult::failure("HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN");
  }
  it->second = after;
  update(after);
  step(now);
  return {};
}

ApiResult Coordinator::set_failures_to_tolerate(TimePoint now, std::uint32_t target) {
  if (!policy_.allow_overcommit && target > status_.plan_exists_for &&
      target > status_.max_failures) {
    return ApiResult::failure("HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN");
  }
  policy_.failures_to_tolerate = target;
  plan_dirty_ = true;
  step(now);
  return {};
}

// ---- the step -----------------------------------------------------------------

void Coordinator::step(TimePoint now) {
  if (!have_liveset_) return;
  bury_dead_hosts(now);
  // A command that never answered: the host's next report says what happened.
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (now - it->second.sent < policy_.command_timeout) {
      ++it;
      continue;
    }
    note(vms_.at(it->first).name + ": no answer from h" + std::to_string(it->second.host) +
         "; waiting for its report");
    const HostIndex h = it->second.host;
    it = in_flight_.erase(it);
    if (reported(h)) reconcile(now, h);
  }
  start_restarts(now);
  if (plan_dirty_) refresh_plan_status();

  TimePoint wake = now + 10s;
  for (const auto& [uuid, f] : in_flight_) wake = std::min(wake, f.sent + policy_.command_timeout);
  for (const auto& [uuid, rs] : restarts_) {
    if (!rs.gave_up && rs.next_try > now) wake = std::min(wake, rs.next_try);
  }
  if (group_ready_at_ > now) wake = std::min(wake, group_ready_at_);
  next_wakeup_ = wake;
}

void Coordinator::bury_dead_hosts(TimePoint now) {
  for (auto& [uuid, vm] : vms_) {
    bool changed = false;
    if (vm.scheduled_on != kNoHost && !live(vm.scheduled_on)) {
      in_flight_.erase(uuid);
      vm.scheduled_on = kNoHost;
      changed = true;
    }
    if (vm.power == VmPower::kRunning && !live(vm.resident_on)) {
      note(vm.name + " was on h" + std::to_string(vm.resident_on) +
           ", which left the liveset and is fenced: halted");
      vm.power = VmPower::kHalted;
      vm.resident_on = kNoHost;
      if (vm.priority == RestartPriority::kBestEffort) {
        RestartState& rs = restarts_[uuid];
        rs = RestartState{};
        rs.best_effort_due = true;
        rs.next_try = now;
      }
      changed = true;
    }
    if (changed) update(vm);
  }
}

void Coordinator::reconcile(TimePoint now, HostIndex h) {
  const HostReportState& report = reports_.at(h);
  for (auto& [uuid, vm] : vms_) {
    auto flight = in_flight_.find(uuid);
    if (flight != in_flight_.end() && flight->second.host == h) continue;  // its answer decides
    const bool here = report.running.contains(uuid);
    if (vm.scheduled_on == h) {
      // A start this master (or the one before) sent, with no answer.
      vm.scheduled_on = kNoHost;
      if (here) {
        vm.power = VmPower::kRunning;
        vm.resident_on = h;
        restarts_.erase(uuid);
        note(vm.name + " runs on h" + std::to_string(h) + " (from its report)");
      }
      update(vm);
      continue;
    }
    if (vm.power == VmPower::kRunning && vm.resident_on == h && !here) {
      note(vm.name + " no longer runs on h" + std::to_string(h) + " (from its report)");
      record_halt(now, vm, false);
      continue;
    }
    if (here && !(vm.power == VmPower::kRunning && vm.resident_on == h)) {
      if (vm.power == VmPower::kRunning && live(vm.resident_on)) {
        alert("HA_VM_RUNNING_TWICE",
              vm.name + " reported on h" + std::to_string(h) + " and h" +
                  std::to_string(vm.resident_on),
              uuid);
        continue;
      }
      vm.power = VmPower::kRunning;
      vm.resident_on = h;
      restarts_.erase(uuid);
      note(vm.name + " found running on h" + std::to_string(h));
      update(vm);
    }
  }
}

void Coordinator::start_restarts(TimePoint now) {
  // Protected VMs first, in order groups; best-effort ones afterwards.
  std::vector<std::string> protected_candidates, best_effort;
  std::optional<std::int64_t> group;
  for (const auto& [uuid, f] : in_flight_) {
    const VmRecord& vm = vms_.at(uuid);
    if (f.kind == VmCommand::Kind::kStart && vm.is_protected()) {
      group = std::min(group.value_or(group_key(vm)), group_key(vm));
    }
  }
  for (const auto& [uuid, vm] : vms_) {
    if (vm.power != VmPower::kHalted || vm.scheduled_on != kNoHost || in_flight_.contains(uuid)) {
      continue;
    }
    auto rs = restarts_.find(uuid);
    const bool blocked = rs != restarts_.end() && (rs->second.gave_up || rs->second.next_try > now);
    if (vm.is_protected() && vm.agile) {
      // A VM waiting for its next attempt does not hold up later groups.
      if (blocked) continue;
      group = std::min(group.value_or(group_key(vm)), group_key(vm));
      protected_candidates.push_back(uuid);
    } else if (rs != restarts_.end() && rs->second.best_effort_due && !blocked) {
      best_effort.push_back(uuid);
    }
  }
  std::vector<std::string> batch;
  if (group) {
    if (now < group_ready_at_) return;
    for (const std::string& uuid : protected_candidates) {
      if (group_key(vms_.at(uuid)) == *group) batch.push_back(uuid);
    }
  } else {
    if (now < group_ready_at_) return;
    batch = best_effort;
  }
  if (batch.empty()) return;

  // Place VMs only on hosts that reported at this epoch: they act on this
  // liveset, so they accept this master's commands.
  std::vector<HostIndex> targets;
  std::vector<std::uint64_t> target_free;
  bool waiting_for_reports = false;
  const std::vector<std::uint64_t> free = free_memory();
  for (HostIndex h = 0; h < hosts_.size(); ++h) {
    if (!live(h) || !hosts_[h].enabled) continue;
    if (!reported(h)) {
      waiting_for_reports = true;
      continue;
    }
    targets.push_back(h);
    target_free.push_back(free[h]);
  }
  std::vector<std::uint64_t> memory;
  for (const std::string& uuid : batch) memory.push_back(vms_.at(uuid).memory);
  const planner::RestartPlan plan = planner::plan_restarts(target_free, memory);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    VmRecord& vm = vms_.at(batch[i]);
    RestartState& rs = restarts_[batch[i]];
    if (!plan.host_of[i]) {
      if (waiting_for_reports) continue;  // a host yet to report may have room
      rs.next_try = now + policy_.retry_interval;
      if (vm.is_protected() && !rs.alerted) {
        rs.alerted = true;
        alert("HA_PROTECTED_VM_RESTART_FAILED",
              vm.name + " needs " + mib(vm.memory) + " and no live host has that much free",
              vm.uuid);
      }
      continue;
    }
    const HostIndex h = targets[*plan.host_of[i]];
    vm.scheduled_on = h;
    update(vm);
    send(now, h, VmCommand::Kind::kStart, vm);
    note("restarting " + vm.name + " on h" + std::to_string(h));
  }
}

void Coordinator::finish_start(TimePoint now, const std::string& uuid, bool ok,
                               const std::string& error) {
  VmRecord& vm = vms_.at(uuid);
  const HostIndex h = vm.scheduled_on;
  vm.scheduled_on = kNoHost;
  RestartState& rs = restarts_[uuid];
  if (ok) {
    vm.power = VmPower::kRunning;
    vm.resident_on = h;
    update(vm);
    restarts_.erase(uuid);
    group_ready_at_ = std::max(group_ready_at_, now + vm.start_delay);
    note(vm.name + " runs on h" + std::to_string(h));
    return;
  }
  update(vm);
  if (error.starts_with("HA_STALE_LIVESET")) {
    rs.next_try = now + 1s;  // the host has not caught up with this liveset yet
    return;
  }
  ++rs.attempts;
  const bool best = rs.best_effort_due;
  const std::uint32_t cap = best ? policy_.best_effort_attempts : policy_.max_attempts;
  rs.next_try = now + (best ? policy_.best_effort_retry_interval : policy_.retry_interval);
  note(vm.name + " failed to start on h" + std::to_string(h) + ": " + error + " (attempt " +
       std::to_string(rs.attempts) + " of " + std::to_string(cap) + ")");
  if (vm.is_protected() && !rs.alerted) {
    rs.alerted = true;
    alert("HA_PROTECTED_VM_RESTART_FAILED", vm.name + " failed to start: " + error, vm.uuid);
  }
  if (rs.attempts >= cap) {
    if (best) {
      rs.best_effort_due = false;
    } else {
      rs.gave_up = true;
    }
    note(vm.name + ": giving up until the liveset changes");
  }
}

void Coordinator::record_halt(TimePoint now, VmRecord& vm, bool internal_shutdown) {
  vm.power = VmPower::kHalted;
  vm.resident_on = kNoHost;
  if (internal_shutdown && !policy_.restart_on_internal_shutdown && vm.always_run) {
    vm.always_run = false;
    note(vm.name + " stays down: the pool does not restart VMs shut down from inside");
  }
  RestartState& rs = restarts_[vm.uuid];
  rs = RestartState{};
  rs.next_try = now;
  update(vm);
}

void Coordinator::refresh_plan_status() {
  plan_dirty_ = false;
  const PoolShapeInput input = shape_of(hosts_, vms_, liveset_.members);
  const std::uint32_t max = planner::max_host_failures_to_tolerate(input.shape);
  PlanStatus next;
  next.max_failures = max;
  next.plan_exists_for = std::min(policy_.failures_to_tolerate, max);
  next.overcommitted = max < policy_.failures_to_tolerate || input.non_agile_protected > 0;
  if (next == status_) return;
  if (next.overcommitted && !status_.overcommitted) {
    alert("HA_POOL_OVERCOMMITTED", "the pool can survive " + std::to_string(max) +
                                       " host failures; the target is " +
                                       std::to_string(policy_.failures_to_tolerate));
  }
  if (next.plan_exists_for < status_.plan_exists_for) {
    alert("HA_POOL_DROP_IN_PLAN_EXISTS_FOR",
          "plan exists for " + std::to_string(next.plan_exists_for) + " host failures (was " +
              std::to_string(status_.plan_exists_for) + ")");
  }
  status_ = next;
  ready_.status = status_;
}

// ---- helpers ------------------------------------------------------------------

void Coordinator::update(const VmRecord& record) {
  POOLHA_CHECK(record.power == VmPower::kRunning || record.resident_on == kNoHost,
               "a halted VM resides nowhere");
  POOLHA_CHECK(record.power == VmPower::kHalted || record.scheduled_on == kNoHost,
               "a start is scheduled only for a halted VM");
  auto it = std::find_if(ready_.records.begin(), ready_.records.end(),
                         [&](const VmRecord& r) { return r.uuid == record.uuid; });
  if (it != ready_.records.end()) {
    *it = record;
  } else {
    ready_.records.push_back(record);
  }
  plan_dirty_ = true;
}

std::uint64_t Coordinator::send(TimePoint now, HostIndex h, VmCommand::Kind kind,
                                const VmRecord& vm) {
  VmCommand command;
  command.kind = kind;
  command.epoch = liveset_.epoch;
  command.master = self_;
  // Ids never repeat across the livesets this master acts on.
  command.id = (liveset_.epoch << 24) | (next_id_++ & 0xFFFFFF);
  command.vm = vm::VmConfig{vm.uuid, vm.name, vm.memory};
  in_flight_[vm.uuid] = InFlight{command.id, h, kind, now};
  ready_.commands.emplace_back(h, std::move(command));
  return ready_.commands.back().second.id;
}

bool Coordinator::reported(HostIndex h) const {
  auto it = reports_.find(h);
  return it != reports_.end() && it->second.epoch == liveset_.epoch;
}

std::vector<std::uint64_t> Coordinator::free_memory() const {
  std::vector<std::uint64_t> free(hosts_.size(), 0);
  for (HostIndex h = 0; h < hosts_.size(); ++h) free[h] = hosts_[h].memory_for_vms;
  auto take = [&](HostIndex h, std::uint64_t m) {
    if (h < free.size()) free[h] -= std::min(free[h], m);
  };
  for (const auto& [uuid, vm] : vms_) {
    if (vm.power == VmPower::kRunning) take(vm.resident_on, vm.memory);
    if (vm.scheduled_on != kNoHost) take(vm.scheduled_on, vm.memory);
  }
  return free;
}

bool Coordinator::plan_would_break(const std::map<std::string, VmRecord>& after) const {
  if (policy_.allow_overcommit || status_.plan_exists_for == 0) return false;
  const PoolShapeInput input = shape_of(hosts_, after, liveset_.members);
  return planner::would_break_plan(input.shape, status_.plan_exists_for);
}

void Coordinator::alert(std::string name, std::string text, std::string vm) {
  ready_.alerts.push_back(Alert{std::move(name), std::move(text), std::move(vm)});
}

CoordinatorReady Coordinator::take_ready() {
  return std::exchange(ready_, CoordinatorReady{});
}

TimePoint Coordinator::next_wakeup() const {
  return next_wakeup_;
}

}  // namespace poolha::failover

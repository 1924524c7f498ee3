#include "failover/coordinator.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/check.h"
#include "common/units.h"
#include "failover/planner_input.h"
#include "planner/planner.h"

namespace poolha::failover {
namespace {

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
    POOLHA_CHECK(vm.power == VmPower::kHalted || vm.scheduled_on == kNoHost,
                 "a start is scheduled only for a halted VM");
  }
}

// ---- inputs -------------------------------------------------------------------

void Coordinator::set_liveset(TimePoint now, const wire::Membership& announced) {
  POOLHA_CHECK(announced.master == self_ && announced.contains(self_, incarnation_),
               "the coordinator runs on the master of the liveset it is given");
  POOLHA_CHECK(!have_liveset_ || announced.epoch >= liveset_.epoch, "epochs only grow");
  if (have_liveset_ && announced.same_as(liveset_)) {
    step(now);
    return;
  }
  const wire::Membership before = liveset_;
  const bool first = !have_liveset_;
  liveset_ = announced;
  have_liveset_ = true;
  if (first || before.epoch != liveset_.epoch) liveset_since_ = now;
  std::erase_if(reports_, [&](const auto& r) {
    return !liveset_.contains(r.first, r.second.incarnation) || r.second.epoch < liveset_.epoch;
  });
  // Hosts that left, or are back as a new incarnation: their fence deadline
  // has passed (the engine announces a removal only then), so whatever ran
  // there has stopped, and the old incarnation will answer nothing more.
  HostSet reborn;
  if (!first) {
    before.members.for_each([&](HostIndex h) {
      if (liveset_.contains(h, before.incarnation[h])) return;
      if (live(h)) reborn.insert(h);
      ready_.fenced.push_back(FencedHost{h, before.incarnation[h], liveset_.epoch});
      answered_after_.erase(h);
    });
  } else {
    std::set<HostIndex> buried;
    for (const auto& [uuid, vm] : vms_) {
      if (vm.resident_on != kNoHost && !live(vm.resident_on)) buried.insert(vm.resident_on);
      if (vm.scheduled_on != kNoHost && !live(vm.scheduled_on)) buried.insert(vm.scheduled_on);
    }
    for (HostIndex h : buried) ready_.fenced.push_back(FencedHost{h, 0, liveset_.epoch});
  }
  // A command of an earlier liveset is refused from now on by any host that
  // reports on this one, so such a report tells whether it ran.
  for (auto& [uuid, f] : in_flight_) {
    if (f.command.epoch >= liveset_.epoch) continue;
    f.report_decides = true;
    f.refused_after.reset();
  }
  // New capacity or lost capacity: every VM gets a fresh round of attempts.
  for (auto& [uuid, rs] : restarts_) {
    rs.gave_up = false;
    rs.attempts = 0;
    rs.next_try = now;
  }
  plan_dirty_ = true;
  bury_dead_hosts(now, reborn);
  for (const HostReport& report : early_reports_.take(liveset_.epoch)) receive(now, report);
  step(now);
}

void Coordinator::receive(TimePoint now, const HostReport& report) {
  if (!have_liveset_ || report.epoch > liveset_.epoch) {
    early_reports_.keep(report);
    return;
  }
  if (report.epoch != liveset_.epoch || !liveset_.contains(report.host, report.incarnation)) {
    return;
  }
  auto answered = answered_after_.find(report.host);
  if (answered != answered_after_.end() && report.sequence <= answered->second) {
    return;  // made before an answer already applied: it would undo it
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
    // Halts repeat until acknowledged; one that still comes after the VM
    // started here again is about the earlier instance.
    if (state.running.contains(halt.vm)) continue;
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
  if (it == in_flight_.end() || it->second.command.id != result.id ||
      it->second.host != result.host) {
    return;  // not (or no longer) waited for; the host's report settles it
  }
  if (!result.ok && result.error.starts_with(kStaleLiveset)) {
    // This copy did not run: the host acts on another liveset. It is no
    // failed attempt; the command goes again once the host reports on this
    // liveset. (A command of an earlier liveset waits for that report instead.)
    InFlight& f = it->second;
    if (f.command.epoch == liveset_.epoch) {
      if (!f.refused_after) {
        note(vms_.at(result.vm).name + ": h" + std::to_string(result.host) +
             " acts on another liveset; the command goes again once it reports on epoch " +
             std::to_string(liveset_.epoch));
      }
      f.refused_after = result.report_sequence;
    }
    step(now);
    return;
  }
  std::uint64_t& answered = answered_after_[result.host];
  answered = std::max(answered, result.report_sequence);
  const InFlight sent = it->second;
  in_flight_.erase(it);
  VmRecord& vm = vms_.at(result.vm);
  if (sent.command.kind == VmCommand::Kind::kStop) {
    if (result.ok) {
      vm.power = VmPower::kHalted;
      vm.resident_on = kNoHost;
      update(vm);
      note(vm.name + " shut down");
    } else {
      note(vm.name + ": shutdown failed on h" + std::to_string(result.host) + ": " + result.error);
    }
  } else {
    finish_start(now, sent, result);
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
  send(now, target, VmCommand::Kind::kStart, vm, /*restart=*/false);
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
  send(now, vm.resident_on, VmCommand::Kind::kStop, vm, /*restart=*/false);
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
  // A VM being shut down through the API stays unprotected: it goes down.
  after.always_run = priority == RestartPriority::kRestart && !stop_in_flight(uuid) &&
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
  if (have_liveset_ && plan_dirty_) refresh_plan_status();
  if (!policy_.allow_overcommit && target > status_.plan_exists_for &&
      target > status_.max_failures) {
    return ApiResult::failure("HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN");
  }
  policy_.failures_to_tolerate = target;
  plan_dirty_ = true;
  step(now);
  return {};
}

ApiResult Coordinator::set_order(TimePoint now, const std::string& uuid, std::int64_t order) {
  auto it = vms_.find(uuid);
  if (it == vms_.end()) return ApiResult::failure("UUID_INVALID");
  it->second.order = order;
  update(it->second);
  step(now);
  return {};
}

ApiResult Coordinator::set_start_delay(TimePoint now, const std::string& uuid, Duration delay) {
  auto it = vms_.find(uuid);
  if (it == vms_.end()) return ApiResult::failure("UUID_INVALID");
  if (delay < Duration::zero()) return ApiResult::failure("INVALID_VALUE");
  it->second.start_delay = delay;
  update(it->second);
  step(now);
  return {};
}

ApiResult Coordinator::set_host_enabled(TimePoint now, HostIndex host, bool enabled) {
  if (host >= hosts_.size()) return ApiResult::failure("HANDLE_INVALID");
  hosts_[host].enabled = enabled;
  plan_dirty_ = true;
  step(now);
  return {};
}

bool Coordinator::plan_exists_for(std::uint32_t failures) const {
  const PoolShapeInput input = shape_of(hosts_, vms_, liveset_.members);
  if (input.non_agile_protected > 0 && failures > 0) return false;
  return planner::plan_exists_for(input.shape, failures).exists;
}

std::uint32_t Coordinator::max_failures_to_tolerate() const {
  const PoolShapeInput input = shape_of(hosts_, vms_, liveset_.members);
  return planner::max_host_failures_to_tolerate(input.shape);
}

// ---- the step -----------------------------------------------------------------

void Coordinator::step(TimePoint now) {
  if (!have_liveset_) return;
  bury_dead_hosts(now);
  // No answer in time: a report showing the command's effect settles it.
  // One not showing it proves nothing on this liveset: the command may still
  // arrive (it keeps going again meanwhile).
  for (auto& [uuid, f] : in_flight_) {
    if (f.timed_out || f.report_decides || now - f.sent < policy_.command_timeout) continue;
    f.timed_out = true;
    note(vms_.at(uuid).name + ": no answer from h" + std::to_string(f.host) +
         " yet; its report settles it once it shows the VM " +
         (f.command.kind == VmCommand::Kind::kStart ? "running" : "gone"));
  }
  resend_unanswered(now);
  start_restarts(now);
  if (plan_dirty_) refresh_plan_status();

  TimePoint wake = now + 10s;
  for (const auto& [uuid, f] : in_flight_) {
    if (f.report_decides) continue;
    wake = std::min(wake, f.resend_at);
    if (!f.timed_out) wake = std::min(wake, f.sent + policy_.command_timeout);
  }
  for (const auto& [uuid, rs] : restarts_) {
    if (!rs.gave_up && rs.next_try > now) wake = std::min(wake, rs.next_try);
  }
  if (group_ready_at_ > now) wake = std::min(wake, group_ready_at_);
  const TimePoint reports_due = liveset_since_ + policy_.report_wait;
  if (reports_due > now && !every_host_reported()) wake = std::min(wake, reports_due);
  next_wakeup_ = wake;
}

void Coordinator::bury_dead_hosts(TimePoint now, const HostSet& reborn) {
  auto gone = [&](HostIndex h) { return !live(h) || reborn.contains(h); };
  for (auto& [uuid, vm] : vms_) {
    bool changed = false;
    if (vm.scheduled_on != kNoHost && gone(vm.scheduled_on)) {
      forget_command(uuid);
      vm.scheduled_on = kNoHost;
      changed = true;
    }
    if (vm.power == VmPower::kRunning && gone(vm.resident_on)) {
      // A shutdown under way there was the operator's wish: it stays down.
      const bool shutting_down = stop_in_flight(uuid);
      forget_command(uuid);
      note(vm.name + " was on h" + std::to_string(vm.resident_on) +
           ", which left the liveset and is fenced: halted");
      vm.power = VmPower::kHalted;
      vm.resident_on = kNoHost;
      if (vm.priority == RestartPriority::kBestEffort && !shutting_down) {
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
    const bool here = report.running.contains(uuid);
    auto flight = in_flight_.find(uuid);
    if (flight != in_flight_.end() && flight->second.host == h) {
      if (!settled_by_report(flight->second, here)) continue;  // its answer decides
      forget_command(uuid);
    }
    if (vm.scheduled_on == h) {
      // A start this master (or the one before) sent, with no answer. The
      // host reports on this liveset, so it refuses that command if it
      // arrives from now on: if the VM is not here, it never will be.
      vm.scheduled_on = kNoHost;
      if (here) {
        vm.power = VmPower::kRunning;
        vm.resident_on = h;
        restarts_.erase(uuid);
        note(vm.name + " runs on h" + std::to_string(h) + " (from its report)");
      } else {
        note(vm.name + " did not start on h" + std::to_string(h) + " (from its report)");
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
      if (vm.power == VmPower::kRunning || vm.scheduled_on != kNoHost) {
        // Never move it: the copy the database knows of stays the one.
        if (running_twice_alerted_.emplace(uuid, h).second) {
          const HostIndex other = vm.power == VmPower::kRunning ? vm.resident_on : vm.scheduled_on;
          alert("HA_VM_RUNNING_TWICE",
                vm.name + " reported on h" + std::to_string(h) + " and " +
                    (vm.power == VmPower::kRunning ? "running on h" : "being started on h") +
                    std::to_string(other),
                uuid);
        }
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

bool Coordinator::settled_by_report(const InFlight& f, bool here) const {
  if (f.report_decides) return true;
  if (!f.timed_out) return false;
  return f.command.kind == VmCommand::Kind::kStart ? here : !here;
}

void Coordinator::resend_unanswered(TimePoint now) {
  for (auto& [uuid, f] : in_flight_) {
    if (f.report_decides) continue;
    const bool caught_up =
        f.refused_after && reported(f.host) && reports_.at(f.host).sequence > *f.refused_after;
    if (!caught_up && now < f.resend_at) continue;
    const std::uint64_t id = f.command.id;
    const bool unsent = std::any_of(ready_.commands.begin(), ready_.commands.end(),
                                    [&](const auto& c) { return c.second.id == id; });
    f.resend_at = now + policy_.command_resend;
    f.refused_after.reset();
    if (unsent) continue;
    update(vms_.at(uuid));  // unchanged, but it goes with the command it allows
    ready_.commands.emplace_back(f.host, f.command);
    note("sending " + vms_.at(uuid).name + "'s " +
         (f.command.kind == VmCommand::Kind::kStart ? "start" : "stop") + " to h" +
         std::to_string(f.host) + " again");
  }
}

void Coordinator::start_restarts(TimePoint now) {
  // Protected VMs first, in order groups; best-effort ones afterwards.
  std::vector<std::string> protected_candidates, best_effort;
  std::optional<std::int64_t> group;
  // A protected VM whose start is under way holds its group.
  for (const auto& [uuid, vm] : vms_) {
    if (vm.is_protected() && vm.scheduled_on != kNoHost) {
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
  if (now < group_ready_at_) return;
  std::vector<std::string> batch;
  if (group) {
    for (const std::string& uuid : protected_candidates) {
      if (group_key(vms_.at(uuid)) == *group) batch.push_back(uuid);
    }
  } else {
    batch = best_effort;
  }
  if (batch.empty()) return;

  // Place VMs only on hosts that reported at this epoch: they act on this
  // liveset, so they accept this master's commands. Right after a liveset
  // change, wait a little for all of them so the plan sees the whole pool.
  if (!every_host_reported() && now < liveset_since_ + policy_.report_wait) return;
  std::vector<HostIndex> targets;
  std::vector<std::uint64_t> target_free;
  const std::vector<std::uint64_t> free = free_memory();
  for (HostIndex h = 0; h < hosts_.size(); ++h) {
    if (!live(h) || !hosts_[h].enabled || !reported(h)) continue;
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
    send(now, h, VmCommand::Kind::kStart, vm, /*restart=*/true);
    note("restarting " + vm.name + " on h" + std::to_string(h));
  }
}

void Coordinator::finish_start(TimePoint now, const InFlight& sent, const VmCommandResult& result) {
  VmRecord& vm = vms_.at(result.vm);
  POOLHA_CHECK(vm.scheduled_on == sent.host, "a start in flight is scheduled on its target");
  vm.scheduled_on = kNoHost;
  if (result.ok) {
    vm.power = VmPower::kRunning;
    vm.resident_on = sent.host;
    update(vm);
    restarts_.erase(vm.uuid);
    // The start delay orders failover restarts; an operator's start holds nothing up.
    if (sent.restart) group_ready_at_ = std::max(group_ready_at_, now + vm.start_delay);
    note(vm.name + " runs on h" + std::to_string(sent.host));
    return;
  }
  update(vm);
  RestartState& rs = restarts_[vm.uuid];
  ++rs.attempts;
  const bool best = rs.best_effort_due;
  const std::uint32_t cap = best ? policy_.best_effort_attempts : policy_.max_attempts;
  rs.next_try = now + (best ? policy_.best_effort_retry_interval : policy_.retry_interval);
  note(vm.name + " failed to start on h" + std::to_string(sent.host) + ": " + result.error +
       " (attempt " + std::to_string(rs.attempts) + " of " + std::to_string(cap) + ")");
  if (vm.is_protected() && !rs.alerted) {
    rs.alerted = true;
    alert("HA_PROTECTED_VM_RESTART_FAILED", vm.name + " failed to start: " + result.error, vm.uuid);
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
  next.failures_to_tolerate = policy_.failures_to_tolerate;
  next.max_failures = max;
  next.plan_exists_for = std::min(policy_.failures_to_tolerate, max);
  next.overcommitted = max < policy_.failures_to_tolerate || input.non_agile_protected > 0;
  if (next == status_) return;
  if (next.overcommitted && !status_.overcommitted) {
    alert("HA_POOL_OVERCOMMITTED", "the pool can survive " + std::to_string(max) +
                                       " host failures; the target is " +
                                       std::to_string(policy_.failures_to_tolerate));
  }
  // A lower target is the operator's choice; only lost capacity is a drop.
  if (next.overcommitted && next.plan_exists_for < status_.plan_exists_for) {
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

void Coordinator::send(TimePoint now, HostIndex h, VmCommand::Kind kind, const VmRecord& vm,
                       bool restart) {
  // Ids never repeat across the livesets this master acts on: the epoch in
  // the high half, a counter restarted each epoch in the low half.
  if (id_epoch_ != liveset_.epoch) {
    id_epoch_ = liveset_.epoch;
    next_id_ = 1;
  }
  constexpr std::uint64_t kLowHalf = 1ull << 32;
  POOLHA_CHECK(liveset_.epoch < kLowHalf && next_id_ < kLowHalf,
               "a command id holds the epoch and the counter");
  VmCommand command;
  command.kind = kind;
  command.epoch = liveset_.epoch;
  command.master = self_;
  command.id = (liveset_.epoch << 32) | next_id_++;
  command.vm = vm::VmConfig{vm.uuid, vm.name, vm.memory};
  ready_.commands.emplace_back(h, command);
  in_flight_[vm.uuid] = InFlight{std::move(command),           h,     restart, now,
                                 now + policy_.command_resend, false, false,   std::nullopt};
}

void Coordinator::forget_command(const std::string& vm) {
  auto it = in_flight_.find(vm);
  if (it == in_flight_.end()) return;
  const std::uint64_t id = it->second.command.id;
  in_flight_.erase(it);
  // Not sent yet: then it never will be.
  std::erase_if(ready_.commands, [&](const auto& c) { return c.second.id == id; });
}

bool Coordinator::stop_in_flight(const std::string& vm) const {
  auto it = in_flight_.find(vm);
  return it != in_flight_.end() && it->second.command.kind == VmCommand::Kind::kStop;
}

bool Coordinator::every_host_reported() const {
  for (HostIndex h = 0; h < hosts_.size(); ++h) {
    if (live(h) && hosts_[h].enabled && !reported(h)) return false;
  }
  return true;
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

void Coordinator::check_persist_before_send() const {
  for (const auto& [h, command] : ready_.commands) {
    auto record =
        std::find_if(ready_.records.begin(), ready_.records.end(),
                     [&uuid = command.vm.uuid](const VmRecord& r) { return r.uuid == uuid; });
    POOLHA_CHECK(record != ready_.records.end(),
                 "a command goes out with its VM's record, persisted first");
    if (command.kind == VmCommand::Kind::kStart) {
      POOLHA_CHECK(record->power == VmPower::kHalted && record->scheduled_on == h,
                   "a start goes out once the database schedules the VM on that host");
    } else {
      POOLHA_CHECK(
          record->power == VmPower::kRunning && record->resident_on == h && !record->always_run,
          "a stop goes out once the database no longer wants the VM running");
    }
  }
}

CoordinatorReady Coordinator::take_ready() {
  check_persist_before_send();
  return std::exchange(ready_, CoordinatorReady{});
}

TimePoint Coordinator::next_wakeup() const {
  return next_wakeup_;
}

}  // namespace poolha::failover

#include "sim/expectations.h"

#include <fmt/format.h>

#include <algorithm>

#include "wire/phase_name.h"

namespace poolha::sim {

namespace {

std::string host_list(const std::vector<HostIndex>& hosts) {
  std::string out;
  for (HostIndex h : hosts) out += fmt::format("{}h{}", out.empty() ? "" : " ", h);
  return out;
}

bool was_fenced(const Simulator& sim, HostIndex h, const std::string& reason) {
  return std::any_of(sim.fences().begin(), sim.fences().end(), [&](const FenceRecord& f) {
    return f.host == h && f.reason.find(reason) != std::string::npos;
  });
}

std::optional<std::string> check_liveset(const Expectation& e, const Simulator& sim) {
  std::vector<std::string> problems;
  bool any_member = false;
  for (HostIndex h = 0; h < sim.host_count(); ++h) {
    const SimHost& host = sim.host(h);
    const bool member =
        host.running() && host.engine && host.engine->phase() == wire::Phase::kMember;
    if (e.hosts_set.contains(h) && !member) {
      problems.push_back(fmt::format("h{} is {}", h, sim.describe(h)));
      continue;
    }
    if (!member) continue;
    any_member = true;
    const wire::Membership& m = host.engine->announced();
    if (m.members != e.hosts_set)
      problems.push_back(
          fmt::format("h{} announces {} (epoch {})", h, m.members.to_string(), m.epoch));
  }
  if (!any_member && !e.hosts_set.empty()) problems.push_back("no running member");
  if (problems.empty()) return std::nullopt;
  std::string out;
  for (const std::string& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// kRejoined: the host was removed, came back with a newer incarnation, and
// every peer that had the old incarnation announced it gone before anyone
// announced the new one.
std::optional<std::string> check_rejoined(HostIndex h, const Simulator& sim) {
  const auto& log = sim.announcements();
  std::uint32_t old_inc = 0;
  for (const Announcement& a : log)
    if (a.by != h && a.membership.members.contains(h)) {
      old_inc = a.membership.incarnation[h];
      break;
    }
  if (old_inc == 0) return fmt::format("no peer ever had h{} in its liveset", h);

  const Announcement* first_join = nullptr;
  for (const Announcement& a : log)
    if (a.membership.members.contains(h) && a.membership.incarnation[h] > old_inc) {
      first_join = &a;
      break;
    }
  if (first_join == nullptr)
    return fmt::format("h{} never came back after incarnation #{}", h, old_inc);

  std::vector<std::string> problems;
  for (HostIndex peer = 0; peer < sim.host_count(); ++peer) {
    if (peer == h) continue;
    bool had_old = false;
    const Announcement* removal = nullptr;
    const Announcement* readmission = nullptr;
    for (const Announcement& a : log) {
      if (a.by != peer) continue;
      if (!had_old) {
        had_old = a.membership.contains(h, old_inc);
        continue;
      }
      if (!removal && !a.membership.contains(h, old_inc) &&
          !(a.membership.members.contains(h) && a.membership.incarnation[h] > old_inc)) {
        removal = &a;
      } else if (removal && a.membership.members.contains(h) &&
                 a.membership.incarnation[h] > old_inc) {
        readmission = &a;
        break;
      }
    }
    if (!had_old) continue;
    if (!removal) {
      problems.push_back(fmt::format("h{} never announced h{}#{} gone", peer, h, old_inc));
      continue;
    }
    if (removal->at > first_join->at)
      problems.push_back(fmt::format(
          "h{} removed h{}#{} at {} (epoch {}), after h{} admitted it back at {} (epoch {})", peer,
          h, old_inc, format_virtual_time(removal->at), removal->membership.epoch, first_join->by,
          format_virtual_time(first_join->at), first_join->membership.epoch));
    if (readmission && readmission->membership.epoch <= removal->membership.epoch)
      problems.push_back(fmt::format("h{} re-admitted h{} at epoch {} <= removal epoch {}", peer, h,
                                     readmission->membership.epoch, removal->membership.epoch));
  }
  if (problems.empty()) return std::nullopt;
  std::string out;
  for (const std::string& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

std::string describe(const Expectation& e) {
  switch (e.kind) {
    case ExpectKind::kLiveset:
      return "expect liveset " + e.hosts_set.to_string();
    case ExpectKind::kMaster:
      return fmt::format("expect master h{}", e.hosts[0]);
    case ExpectKind::kNoMaster:
      return "expect master none";
    case ExpectKind::kFenced:
      return "expect fenced " + host_list(e.hosts) + (e.text.empty() ? "" : " reason=" + e.text);
    case ExpectKind::kNotFenced:
      return "expect not-fenced " + host_list(e.hosts);
    case ExpectKind::kNoFence:
      return "expect no-fence";
    case ExpectKind::kNotAllFenced:
      return "expect not-all-fenced";
    case ExpectKind::kRunning:
      return "expect running " + host_list(e.hosts);
    case ExpectKind::kDown:
      return "expect down " + host_list(e.hosts);
    case ExpectKind::kPhase:
      return fmt::format("expect phase h{} {}", e.hosts[0],
                         e.phase_off ? "off" : std::string(wire::phase_name(e.phase)));
    case ExpectKind::kAlert:
      return "expect alert " + e.text + (e.hosts.empty() ? "" : fmt::format(" by=h{}", e.hosts[0]));
    case ExpectKind::kNoAlert:
      return "expect no-alert " + e.text;
    case ExpectKind::kRejoined:
      return fmt::format("expect rejoined h{}", e.hosts[0]);
    case ExpectKind::kVmRunning:
      return "expect vm-running " + e.text +
             (e.hosts.empty() ? "" : fmt::format(" on=h{}", e.hosts[0]));
    case ExpectKind::kVmHalted:
      return "expect vm-halted " + e.text;
    case ExpectKind::kApiRefused:
      return "expect api-refused " + e.text;
    case ExpectKind::kPlanExistsFor:
      return fmt::format("expect plan-exists-for {}", e.number);
  }
  return "expect ?";
}

std::optional<std::string> check_vm_expectation(const Expectation& e, const Simulator& sim) {
  const SimPool* pool = sim.pool();
  if (pool == nullptr) return "the scenario simulates no VMs";
  switch (e.kind) {
    case ExpectKind::kVmRunning: {
      const auto where = pool->hosts_running(e.text);
      if (where.empty()) return e.text + " runs nowhere";
      if (where.size() > 1) return fmt::format("{} runs on {} hosts", e.text, where.size());
      if (!e.hosts.empty() && where[0] != e.hosts[0])
        return fmt::format("{} runs on h{}", e.text, where[0]);
      return std::nullopt;
    }
    case ExpectKind::kVmHalted: {
      const auto where = pool->hosts_running(e.text);
      if (!where.empty()) return fmt::format("{} runs on h{}", e.text, where[0]);
      return std::nullopt;
    }
    case ExpectKind::kApiRefused: {
      const auto& refusals = pool->refusals();
      if (std::find(refusals.begin(), refusals.end(), e.text) == refusals.end())
        return "no operator action was refused with " + e.text;
      return std::nullopt;
    }
    case ExpectKind::kPlanExistsFor: {
      const auto status = pool->plan_status();
      if (!status) return "no master runs a failover coordinator";
      if (status->plan_exists_for != e.number)
        return fmt::format("plan exists for {} (the planner proved {})", status->plan_exists_for,
                           status->max_failures);
      return std::nullopt;
    }
    default:
      return "not a VM expectation";
  }
}

std::optional<std::string> check_expectation(const Expectation& e, const Simulator& sim) {
  switch (e.kind) {
    case ExpectKind::kLiveset:
      return check_liveset(e, sim);
    case ExpectKind::kMaster: {
      std::vector<std::string> problems;
      const SimHost& want = sim.host(e.hosts[0]);
      if (!want.running() || !want.engine || !want.engine->is_master())
        problems.push_back(
            fmt::format("h{} is not master ({})", e.hosts[0], sim.describe(e.hosts[0])));
      for (HostIndex h = 0; h < sim.host_count(); ++h)
        if (h != e.hosts[0] && sim.host(h).alive() && sim.host(h).is_master)
          problems.push_back(fmt::format("h{} is master", h));
      if (problems.empty()) return std::nullopt;
      std::string out;
      for (const std::string& p : problems) out += (out.empty() ? "" : "; ") + p;
      return out;
    }
    case ExpectKind::kNoMaster:
      if (auto m = sim.current_master()) return fmt::format("h{} is master", *m);
      return std::nullopt;
    case ExpectKind::kFenced:
      for (HostIndex h : e.hosts)
        if (!was_fenced(sim, h, e.text))
          return fmt::format("h{} was never fenced{}", h,
                             e.text.empty() ? "" : " for a reason containing '" + e.text + "'");
      return std::nullopt;
    case ExpectKind::kNotFenced:
      for (HostIndex h : e.hosts)
        if (was_fenced(sim, h, "")) return fmt::format("h{} was fenced", h);
      return std::nullopt;
    case ExpectKind::kNoFence:
      if (!sim.fences().empty()) {
        const FenceRecord& f = sim.fences().front();
        return fmt::format("{} fence(s); first h{} at {}: {}", sim.fences().size(), f.host,
                           format_virtual_time(f.at), f.reason);
      }
      return std::nullopt;
    case ExpectKind::kNotAllFenced:
      for (HostIndex h = 0; h < sim.host_count(); ++h)
        if (!was_fenced(sim, h, "")) return std::nullopt;
      return "every host was fenced";
    case ExpectKind::kRunning:
      for (HostIndex h : e.hosts)
        if (!sim.host(h).running()) return fmt::format("h{} is {}", h, sim.describe(h));
      return std::nullopt;
    case ExpectKind::kDown:
      for (HostIndex h : e.hosts)
        if (sim.host(h).alive()) return fmt::format("h{} is {}", h, sim.describe(h));
      return std::nullopt;
    case ExpectKind::kPhase: {
      const SimHost& h = sim.host(e.hosts[0]);
      if (e.phase_off) {
        if (h.engine) return fmt::format("h{} is {}", e.hosts[0], sim.describe(e.hosts[0]));
        return std::nullopt;
      }
      if (!h.engine || h.engine->phase() != e.phase)
        return fmt::format("h{} is {}", e.hosts[0], sim.describe(e.hosts[0]));
      return std::nullopt;
    }
    case ExpectKind::kAlert:
    case ExpectKind::kNoAlert: {
      const bool raised =
          std::any_of(sim.alerts().begin(), sim.alerts().end(), [&](const AlertRecord& a) {
            return a.name == e.text && (e.hosts.empty() || a.host == e.hosts[0]);
          });
      if (e.kind == ExpectKind::kAlert && !raised) return "the alert was never raised";
      if (e.kind == ExpectKind::kNoAlert && raised) return "the alert was raised";
      return std::nullopt;
    }
    case ExpectKind::kRejoined:
      return check_rejoined(e.hosts[0], sim);
    case ExpectKind::kVmRunning:
    case ExpectKind::kVmHalted:
    case ExpectKind::kApiRefused:
    case ExpectKind::kPlanExistsFor:
      return check_vm_expectation(e, sim);
  }
  return "unknown expectation";
}

}  // namespace poolha::sim

#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "sim/duration_text.h"
#include "wire/phase_name.h"

namespace poolha::sim {

namespace {

// An engine asking to be ticked at the same instant this many times in a row
// is spinning; the simulator pushes it forward instead of looping forever.
constexpr std::uint32_t kBusyTickLimit = 1000;

std::string format_membership(const wire::Membership& m) {
  std::string incarnations;
  m.members.for_each([&](HostIndex h) {
    incarnations += fmt::format("{}{}", incarnations.empty() ? "" : ",", m.incarnation[h]);
  });
  std::string master = m.master == kNoHost ? "none" : fmt::format("h{}", m.master);
  return fmt::format("epoch {} {} master {} (incarnations {})", m.epoch, m.members.to_string(),
                     master, incarnations.empty() ? "-" : incarnations);
}

}  // namespace

Simulator::Simulator(SimConfig config)
    : config_(std::move(config)),
      prng_(config_.seed),
      network_(config_.hosts, config_.network),
      storage_(config_.hosts, config_.storage),
      timeline_(config_.timeline),
      hosts_(config_.hosts) {
  POOLHA_CHECK(config_.hosts >= 1 && config_.hosts <= kMaxHosts, "host count out of range");
  // Pool identity: derived from the seed so runs differ only where they should.
  std::uint64_t identity = config_.seed ^ 0x706F6F6C68614944ull;
  secret_.resize(32);
  for (std::size_t i = 0; i < secret_.size(); i += 8) {
    const std::uint64_t word = splitmix64(identity);
    for (std::size_t b = 0; b < 8; ++b) secret_[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
  }
  uuids_.resize(config_.hosts);
  for (HostIndex h = 0; h < config_.hosts; ++h) {
    // The index leads the UUID so the list is sorted, as the pool requires.
    wire::Uuid& u = uuids_[h];
    u[0] = static_cast<std::uint8_t>(h >> 8);
    u[1] = static_cast<std::uint8_t>(h);
    for (std::size_t i = 2; i < u.size(); i += 7) {
      const std::uint64_t word = splitmix64(identity);
      for (std::size_t b = 0; b < 7 && i + b < u.size(); ++b)
        u[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
    }
  }
  for (HostIndex h = 0; h < config_.hosts; ++h) {
    hosts_[h].index = h;
    if (h < config_.host_storage.size() && config_.host_storage[h])
      storage_.latency(h) = *config_.host_storage[h];
  }
  if (config_.pool) pool_ = std::make_unique<SimPool>(*this, *config_.pool);
}

Simulator::~Simulator() = default;

ha::EngineConfig Simulator::engine_config(HostIndex h) const {
  ha::EngineConfig c;
  c.host_count = config_.hosts;
  c.self = h;
  c.generation = 1;
  c.secret = secret_;
  c.weights =
      config_.weights.empty() ? std::vector<std::uint32_t>(config_.hosts, 1) : config_.weights;
  c.host_uuids = uuids_;
  c.timing = config_.timing;
  return c;
}

void Simulator::log(const SimHost& h, std::string_view text) {
  if (!timeline_.enabled()) return;
  timeline_.add(now_, fmt::format("h{} {}", h.index, text));
}

std::optional<Duration> Simulator::route(HostIndex from, HostIndex to) {
  return network_.route(from, to, prng_);
}

void Simulator::record_alert(HostIndex h, std::string name, std::string text) {
  log(hosts_[h], fmt::format("ALERT {}: {}", name, text));
  alerts_.push_back(AlertRecord{now_, h, std::move(name), std::move(text)});
}

void Simulator::note(std::string_view text) {
  timeline_.add(now_, text);
}

void Simulator::violation(std::string invariant, std::string detail) {
  timeline_.add(now_, fmt::format("VIOLATION {}: {}", invariant, detail));
  violations_.push_back(Violation{now_, std::move(invariant), std::move(detail)});
  if (config_.stop_on_violation) stopped_ = true;
}

void Simulator::at(VirtualTime when, std::function<void()> action) {
  actions_.push_back(std::move(action));
  Event e;
  e.kind = Event::Kind::kAction;
  e.token = actions_.size() - 1;
  queue_.push(std::max(when, now_), std::move(e));
}

void Simulator::run_until(VirtualTime end) {
  while (!stopped_ && !queue_.empty() && queue_.next_time() <= end) {
    auto entry = queue_.pop();
    now_ = entry->time;
    ++counters_.events;
    dispatch(entry->payload);
    if (pool_) pool_->after_event();
  }
  if (!stopped_) now_ = std::max(now_, end);
}

void Simulator::dispatch(Event& e) {
  if (e.kind == Event::Kind::kAction) {
    std::function<void()> action = std::move(actions_[e.token]);
    actions_[e.token] = nullptr;
    action();
    return;
  }
  SimHost& h = hosts_[e.host];
  switch (e.kind) {
    case Event::Kind::kTick:
      if (e.token != h.tick_token) return;  // superseded by an earlier tick
      h.tick_pending = false;
      if (!h.running() || !h.engine) return;  // a hung host is ticked when it resumes
      if (h.busy_at == now_) {
        ++h.busy_ticks;
      } else {
        h.busy_at = now_;
        h.busy_ticks = 1;
      }
      drive(h, [&](ha::Engine& engine, TimePoint t) { engine.tick(t); });
      return;
    case Event::Kind::kPacket:
      if (!h.running() || !h.engine) return;  // a hung or dead host drops packets
      drive(h, [&](ha::Engine& engine, TimePoint t) { engine.receive_packet(t, e.bytes); });
      return;
    case Event::Kind::kStorage: {
      auto completion = storage_.complete(h.index, e.token);
      if (!completion) return;  // re-dispatched or dropped by a crash
      if (completion->torn)
        log(h, fmt::format("statefile write (op {}) torn: only half of it reached the disk",
                           completion->op_id));
      if (!h.alive() || h.incarnation != e.incarnation) return;
      if (h.power == Power::kHung) {
        h.held.push_back(std::move(*completion));
        return;
      }
      deliver_storage(h, std::move(*completion));
      return;
    }
    case Event::Kind::kWatchdog:
      if (e.incarnation != h.incarnation) return;  // from an earlier life of the host
      h.watchdog_event_pending = false;
      if (!h.watchdog_armed || !h.alive()) return;
      if (now_ >= h.watchdog_deadline) {
        fence(h,
              fmt::format("watchdog: not kicked for {}", format_duration(config_.timing.watchdog)));
        return;
      }
      h.watchdog_event_pending = true;
      e.token = 0;
      queue_.push(h.watchdog_deadline, std::move(e));
      return;
    case Event::Kind::kReboot:
      if (e.token != h.reboot_token || h.power != Power::kFenced) return;
      log(h, "reboots after its fence");
      power_on(h.index);
      return;
    case Event::Kind::kHangEnd:
      if (e.token != h.hang_token || h.power != Power::kHung) return;
      resume(h);
      return;
    case Event::Kind::kAction:
      return;
  }
}

template <typename Input>
void Simulator::drive(SimHost& h, Input&& input) {
  POOLHA_CHECK(h.engine != nullptr, "driving a host without an engine");
  ++counters_.engine_calls;
  input(*h.engine, local_now(h));
  process_ready(h);
}

void Simulator::process_ready(SimHost& h) {
  ha::Ready ready = h.engine->take_ready();
  std::vector<PendingChange> changes;
  for (const ha::Event& ev : ready.events) handle_engine_event(h, ev, changes);

  for (ha::OutgoingPacket& p : ready.packets) {
    if (p.to >= config_.hosts) {
      violation("engine contract",
                fmt::format("h{} sent a packet to h{}, which does not exist", h.index, p.to));
      continue;
    }
    auto delay = network_.route(h.index, p.to, prng_);
    if (!delay) continue;
    Event e;
    e.kind = Event::Kind::kPacket;
    e.host = p.to;
    e.bytes = std::move(p.bytes);
    queue_.push(now_ + *delay, std::move(e));
  }

  for (ha::StorageOp& op : ready.storage) {
    if (storage_.pending(h.index) > 0)
      violation(
          "engine contract",
          fmt::format("h{} issued statefile op {} while another was outstanding", h.index, op.id));
    ++counters_.storage_ops;
    if (auto d = storage_.submit(h.index, std::move(op), prng_)) schedule_storage(*d);
  }

  switch (ready.watchdog) {
    case ha::WatchdogAction::kNone:
      break;
    case ha::WatchdogAction::kKick:
      kick_watchdog(h);
      break;
    case ha::WatchdogAction::kDisarm:
      if (h.watchdog_armed) log(h, "watchdog disarmed");
      h.watchdog_armed = false;
      break;
  }

  if (ready.fence) {
    fence(h, *ready.fence);
  } else {
    const bool was_master = h.is_master;
    h.is_master = h.engine->is_master();
    h.phase = h.engine->phase();
    if (was_master != h.is_master) update_master_count();
    schedule_tick(h);
    show_view(h);
  }
  for (const PendingChange& change : changes) {
    check_removals(h, change);
    check_admissions(h, change);
  }
  check_acts_after_removal(h);
  if (pool_ && h.engine) pool_->engine_stepped(h.index);
}

void Simulator::check_acts_after_removal(const SimHost& h) {
  if (!h.running() || !h.engine || h.phase != wire::Phase::kMember) return;
  const auto it = removed_before_.find({h.index, h.incarnation});
  if (it == removed_before_.end() || h.engine->current().epoch >= it->second) return;
  violation("(b) removal",
            fmt::format("h{}#{} acts on epoch {} although its removal was announced at epoch {}",
                        h.index, h.incarnation, h.engine->current().epoch, it->second));
}

void Simulator::handle_engine_event(SimHost& h, const ha::Event& ev,
                                    std::vector<PendingChange>& changes) {
  switch (ev.kind) {
    case ha::Event::Kind::kPhase:
      log(h, fmt::format("phase -> {}", ev.text));
      break;
    case ha::Event::Kind::kLivesetChanged:
      changes.push_back(PendingChange{h.announced, ev.membership});
      h.announced = ev.membership;
      announcements_.push_back(Announcement{now_, h.index, h.incarnation, ev.membership});
      log(h, fmt::format("liveset -> {}", format_membership(ev.membership)));
      break;
    case ha::Event::Kind::kMasterChanged:
      log(h, ev.is_master ? "becomes master" : "is no longer master");
      break;
    case ha::Event::Kind::kAlert:
      alerts_.push_back(AlertRecord{now_, h.index, ev.name, ev.text});
      log(h, fmt::format("ALERT {}: {}", ev.name, ev.text));
      break;
    case ha::Event::Kind::kFenced:
      log(h, fmt::format("decides to fence: {}", ev.text));
      break;
    case ha::Event::Kind::kNote:
      log(h, fmt::format("· {}", ev.text));
      break;
  }
}

void Simulator::check_removals(const SimHost& observer, const PendingChange& change) {
  change.before.members.for_each([&](HostIndex m) {
    const std::uint32_t inc = change.before.incarnation[m];
    if (change.after.contains(m, inc)) return;
    const SimHost& removed = hosts_[m];
    bool safe = true;
    std::string why;
    if (!removed.alive()) {
      why = fmt::format("is {}", to_string(removed.power));
    } else if (removed.incarnation != inc) {
      why = fmt::format("runs a newer incarnation #{}", removed.incarnation);
    } else if (removed.engine && (removed.engine->phase() == wire::Phase::kLeft ||
                                  removed.engine->phase() == wire::Phase::kDisabled)) {
      why = fmt::format("left cleanly ({})", wire::phase_name(removed.engine->phase()));
    } else if (removed.engine && removed.engine->phase() != wire::Phase::kMember &&
               !removed.engine->armed()) {
      // Admitted but never acted on it: harmless as long as it never acts on
      // a liveset older than this removal (checked after its every step).
      why = fmt::format(
          "never acted on the liveset (phase {}); it must not act on one before epoch {}",
          wire::phase_name(removed.engine->phase()), change.after.epoch);
      auto [it, fresh] = removed_before_.try_emplace({m, inc}, change.after.epoch);
      if (!fresh) it->second = std::min(it->second, change.after.epoch);
    } else {
      safe = false;
      why = fmt::format("still runs incarnation #{} ({}, phase {})", inc, to_string(removed.power),
                        removed.engine ? wire::phase_name(removed.engine->phase()) : "none");
    }
    log(observer,
        fmt::format("check: dropped h{}#{} (epoch {} -> {}): h{} {}: {}", m, inc,
                    change.before.epoch, change.after.epoch, m, why, safe ? "ok" : "UNSAFE"));
    if (!safe)
      violation("(b) removal",
                fmt::format("h{} dropped h{}#{} from its liveset at epoch {} but h{} {}",
                            observer.index, m, inc, change.after.epoch, m, why));
  });
}

void Simulator::check_admissions(const SimHost& observer, const PendingChange& change) {
  change.after.members.for_each([&](HostIndex m) {
    const std::uint32_t inc = change.after.incarnation[m];
    if (change.before.contains(m, inc)) return;
    if (change.before.members.contains(m) && change.before.incarnation[m] < inc) {
      violation(
          "(e) rejoin",
          fmt::format("h{} replaced h{}#{} by h{}#{} at epoch {} without announcing it down",
                      observer.index, m, change.before.incarnation[m], m, inc, change.after.epoch));
    }
    for (const SimHost& other : hosts_) {
      if (other.index == m || other.index == observer.index || !other.running() || !other.engine ||
          other.phase != wire::Phase::kMember)
        continue;
      if (other.announced.members.contains(m) && other.announced.incarnation[m] < inc) {
        violation("(e) rejoin",
                  fmt::format("h{} admitted h{}#{} at epoch {} while h{} still announces h{}#{}",
                              observer.index, m, inc, change.after.epoch, other.index, m,
                              other.announced.incarnation[m]));
      }
    }
  });
}

void Simulator::schedule_tick(SimHost& h) {
  const TimePoint local = local_now(h);
  const TimePoint wanted = h.engine->next_wakeup();
  VirtualTime wake = std::max(h.clock.virtual_at(wanted), now_);
  if (wake == VirtualTime::max()) return;  // the engine needs no tick (stopped)
  if (wake > now_) {
    h.spinning = false;
  } else if (h.spinning) {
    wake = now_ + 1ms;
  } else if (h.busy_at == now_ && h.busy_ticks >= kBusyTickLimit) {
    h.spinning = true;
    wake = now_ + 1ms;
    const auto lease = h.engine->lease_expiry();
    violation(
        "engine contract",
        fmt::format(
            "h{} keeps asking to be ticked at once ({} ticks at {}; next_wakeup "
            "{}us before now, phase {}, armed {}, lease expiry {}); "
            "ticking it every 1 ms until it stops",
            h.index, h.busy_ticks, format_virtual_time(now_), (local - wanted).count(),
            wire::phase_name(h.engine->phase()), h.engine->armed(),
            lease ? fmt::format("{}us from now", (*lease - local).count()) : std::string("none")));
  }
  if (h.tick_pending && h.tick_at <= wake) return;
  h.tick_pending = true;
  h.tick_at = wake;
  Event e;
  e.kind = Event::Kind::kTick;
  e.host = h.index;
  e.token = ++h.tick_token;
  queue_.push(wake, std::move(e));
}

void Simulator::kick_watchdog(SimHost& h) {
  if (!h.watchdog_armed)
    log(h, fmt::format("watchdog armed ({})", format_duration(config_.timing.watchdog)));
  h.watchdog_armed = true;
  h.watchdog_deadline = h.clock.virtual_at(local_now(h) + config_.timing.watchdog);
  if (h.watchdog_event_pending) return;  // it re-arms itself at the new deadline
  h.watchdog_event_pending = true;
  Event e;
  e.kind = Event::Kind::kWatchdog;
  e.host = h.index;
  e.incarnation = h.incarnation;
  queue_.push(h.watchdog_deadline, std::move(e));
}

void Simulator::schedule_storage(const Dispatch& d) {
  Event e;
  e.kind = Event::Kind::kStorage;
  e.host = d.host;
  e.incarnation = hosts_[d.host].incarnation;
  e.token = d.ticket;
  queue_.push(now_ + d.after, std::move(e));
}

void Simulator::deliver_storage(SimHost& h, StorageCompletion c) {
  drive(h, [&](ha::Engine& engine, TimePoint t) {
    engine.storage_done(t, c.op_id, c.ok, c.ok && c.image ? c.image.get() : nullptr);
  });
}

void Simulator::stop_engine(SimHost& h) {
  if (storage_.crash(h.index)) log(h, "a statefile write was in flight: it is left half written");
  h.engine.reset();
  h.watchdog_armed = false;
  h.watchdog_event_pending = false;
  h.held.clear();
  h.tick_pending = false;
  ++h.tick_token;
  ++h.hang_token;
  h.busy_ticks = 0;
  h.phase = wire::Phase::kBooting;
  h.announced = wire::Membership{};
  h.shown_hb.clear();
  h.shown_sf.clear();
  if (h.is_master) {
    h.is_master = false;
    update_master_count();
  }
}

void Simulator::fence(SimHost& h, const std::string& reason) {
  fences_.push_back(FenceRecord{now_, h.index, h.incarnation, reason});
  timeline_.add(now_, fmt::format("h{} fenced: {}", h.index, reason));
  stop_engine(h);
  if (pool_) pool_->host_lost_power(h.index);
  h.power = Power::kFenced;
  ++h.reboot_token;
  if (config_.reboot_after_fence) {
    Event e;
    e.kind = Event::Kind::kReboot;
    e.host = h.index;
    e.token = h.reboot_token;
    queue_.push(now_ + *config_.reboot_after_fence, std::move(e));
  }
}

void Simulator::power_on(HostIndex index) {
  SimHost& h = hosts_[index];
  if (h.alive()) {
    log(h, "power-on ignored: already on");
    return;
  }
  ++h.reboot_token;
  ++h.incarnation;
  TimePoint boot_clock = config_.reboot_clock;
  if (h.incarnation == 1) {
    boot_clock = index < config_.first_boot_clock.size() && config_.first_boot_clock[index]
                     ? *config_.first_boot_clock[index]
                     : from_us(1'000'000'000ll * (index + 1) + 12'345ll * index);
  }
  h.clock.start(now_, boot_clock);
  if (index < config_.drift_ppm.size() && config_.drift_ppm[index] != h.clock.drift_ppm())
    h.clock.set_drift_ppm(config_.drift_ppm[index], now_);
  h.power = Power::kRunning;
  h.busy_ticks = 0;
  log(h, fmt::format("power-on: incarnation {}, local clock {}", h.incarnation,
                     format_duration(boot_clock.time_since_epoch())));
  h.engine = std::make_unique<ha::Engine>(engine_config(index), h.incarnation, local_now(h));
  if (pool_) pool_->host_started(index);
  h.isolation_told = isolation_reachable(h);
  drive(h, [&](ha::Engine& engine, TimePoint t) {
    engine.set_isolation_reachable(t, h.isolation_told);
  });
}

void Simulator::power_off(HostIndex index) {
  SimHost& h = hosts_[index];
  ++h.reboot_token;  // a fenced host switched off stays off
  if (h.power == Power::kOff) {
    log(h, "power-off ignored: already off");
    return;
  }
  log(h, "power-off");
  stop_engine(h);
  if (pool_) pool_->host_lost_power(h.index);
  h.power = Power::kOff;
}

void Simulator::hang(HostIndex index, Duration how_long) {
  SimHost& h = hosts_[index];
  if (!h.alive()) {
    log(h, fmt::format("hang ignored: host is {}", to_string(h.power)));
    return;
  }
  const VirtualTime until =
      std::max(now_ + how_long, h.power == Power::kHung ? h.hung_until : now_);
  log(h, fmt::format("daemon hangs for {} (until {})", format_duration(how_long),
                     format_virtual_time(until)));
  h.power = Power::kHung;
  h.hung_until = until;
  Event e;
  e.kind = Event::Kind::kHangEnd;
  e.host = index;
  e.token = ++h.hang_token;
  queue_.push(until, std::move(e));
}

void Simulator::resume(SimHost& h) {
  h.power = Power::kRunning;
  log(h, fmt::format("daemon resumes ({} held statefile completions)", h.held.size()));
  std::vector<StorageCompletion> held = std::move(h.held);
  h.held.clear();
  for (StorageCompletion& c : held) {
    if (!h.engine) return;  // fenced while catching up
    deliver_storage(h, std::move(c));
  }
  if (!h.engine) return;
  const bool reachable = isolation_reachable(h);
  if (reachable != h.isolation_told) {
    h.isolation_told = reachable;
    drive(h,
          [&](ha::Engine& engine, TimePoint t) { engine.set_isolation_reachable(t, reachable); });
    if (!h.engine) return;
  }
  drive(h, [&](ha::Engine& engine, TimePoint t) { engine.tick(t); });
}

void Simulator::command(HostIndex index, const ha::Command& cmd) {
  SimHost& h = hosts_[index];
  if (!h.running() || !h.engine) {
    log(h, fmt::format("command ignored: host is {}", to_string(h.power)));
    return;
  }
  drive(h, [&](ha::Engine& engine, TimePoint t) { engine.command(t, cmd); });
}

bool Simulator::isolation_reachable(const SimHost& h) const {
  switch (h.isolation) {
    case IsolationSetting::kReachable:
      return true;
    case IsolationSetting::kUnreachable:
      return false;
    case IsolationSetting::kAuto:
      return network_.nic_up(h.index) && network_.switch_up();
  }
  return true;
}

void Simulator::refresh_isolation() {
  for (SimHost& h : hosts_) {
    if (!h.running() || !h.engine) continue;  // a hung host learns it when it resumes
    const bool reachable = isolation_reachable(h);
    if (reachable == h.isolation_told) continue;
    h.isolation_told = reachable;
    log(h, reachable ? "reaches its isolation address again" : "loses its isolation address");
    drive(h,
          [&](ha::Engine& engine, TimePoint t) { engine.set_isolation_reachable(t, reachable); });
  }
}

void Simulator::set_nic(HostIndex h, bool up) {
  log(hosts_[h], up ? "NIC up" : "NIC down");
  network_.set_nic_up(h, up);
  refresh_isolation();
}

void Simulator::set_link(HostIndex from, HostIndex to, bool up) {
  note(fmt::format("link h{} -> h{} {}", from, to, up ? "up" : "down"));
  network_.link(from, to).up = up;
}

void Simulator::set_link_pair(HostIndex a, HostIndex b, bool up) {
  note(fmt::format("link h{} <-> h{} {}", a, b, up ? "up" : "down"));
  network_.set_pair_up(a, b, up);
}

void Simulator::set_link_properties(HostIndex from, HostIndex to, std::optional<Duration> delay,
                                    std::optional<Duration> jitter,
                                    std::optional<std::uint32_t> loss_ppm) {
  LinkProperties& l = network_.link(from, to);
  if (delay) l.delay = *delay;
  if (jitter) l.jitter = *jitter;
  if (loss_ppm) l.loss_ppm = *loss_ppm;
  note(fmt::format("link h{} -> h{}: delay {} +- {}, loss {}", from, to, format_duration(l.delay),
                   format_duration(l.jitter), format_percent_ppm(l.loss_ppm)));
}

void Simulator::set_switch(bool up) {
  note(up ? "management switch restored" : "management switch fails");
  network_.set_switch_up(up);
  refresh_isolation();
}

void Simulator::set_loss(std::uint32_t ppm) {
  note(fmt::format("packet loss {} on every link", format_percent_ppm(ppm)));
  network_.set_global_loss_ppm(ppm);
}

void Simulator::set_storage_path(HostIndex h, PathState state) {
  log(hosts_[h], fmt::format("storage path {}", to_string(state)));
  for (const Dispatch& d : storage_.set_path(h, state, prng_)) schedule_storage(d);
}

void Simulator::set_storage_latency(HostIndex h, StorageLatency latency) {
  log(hosts_[h], fmt::format("storage latency {} +- {}", format_duration(latency.latency),
                             format_duration(latency.jitter)));
  storage_.latency(h) = latency;
}

void Simulator::tear_next_write(HostIndex h) {
  log(hosts_[h], "its next statefile write will be torn");
  storage_.tear_next_write(h);
}

void Simulator::set_isolation(HostIndex h, IsolationSetting setting) {
  static constexpr std::string_view kNames[] = {"auto", "forced reachable", "forced unreachable"};
  log(hosts_[h], fmt::format("isolation address {}", kNames[static_cast<int>(setting)]));
  hosts_[h].isolation = setting;
  refresh_isolation();
}

void Simulator::clock_jump(HostIndex h, Duration by) {
  hosts_[h].wall_offset += by;
  log(hosts_[h], fmt::format("wall clock jumps {}{} (monotonic clock unaffected)",
                             by.count() >= 0 ? "+" : "", format_duration(by)));
}

void Simulator::set_drift(HostIndex h, std::int32_t ppm) {
  if (config_.drift_ppm.size() < config_.hosts) config_.drift_ppm.resize(config_.hosts, 0);
  config_.drift_ppm[h] = ppm;
  hosts_[h].clock.set_drift_ppm(ppm, now_);
  log(hosts_[h], fmt::format("monotonic clock drift {:+}ppm", ppm));
}

void Simulator::heal() {
  note("heal: network, storage paths, latencies and isolation restored; stopped hosts start");
  network_.heal();
  for (SimHost& h : hosts_) {
    h.isolation = IsolationSetting::kAuto;
    if (storage_.path(h.index) != PathState::kUp) set_storage_path(h.index, PathState::kUp);
    const bool own = h.index < config_.host_storage.size() && config_.host_storage[h.index];
    storage_.latency(h.index) = own ? *config_.host_storage[h.index] : config_.storage;
  }
  refresh_isolation();
  for (SimHost& h : hosts_) {
    if (h.power == Power::kOff || (h.power == Power::kFenced && !config_.reboot_after_fence)) {
      power_on(h.index);
    } else if (h.running() && h.engine &&
               (h.phase == wire::Phase::kLeft || h.phase == wire::Phase::kDisabled)) {
      log(h, "restarts: its daemon stopped");
      power_off(h.index);
      power_on(h.index);
    }
  }
}

void Simulator::check_settled() {
  const SimHost* first = nullptr;
  std::size_t problems = 0;
  for (const SimHost& h : hosts_) {
    if (!h.running() || !h.engine) continue;
    const wire::Phase phase = h.engine->phase();
    if (phase != wire::Phase::kMember) {
      if (phase != wire::Phase::kLeft && phase != wire::Phase::kDisabled) {
        ++problems;
        violation("(c) settled", fmt::format("h{} runs but is still {} after faults settled",
                                             h.index, wire::phase_name(phase)));
      }
      continue;
    }
    if (first == nullptr) {
      first = &h;
      continue;
    }
    const wire::Membership& a = first->engine->announced();
    const wire::Membership& b = h.engine->announced();
    if (a.epoch != b.epoch || a.members != b.members) {
      ++problems;
      violation("(c) settled", fmt::format("h{} announces {} but h{} announces {}", first->index,
                                           format_membership(a), h.index, format_membership(b)));
    }
  }
  if (first != nullptr) {
    const wire::Membership& agreed = first->engine->announced();
    agreed.members.for_each([&](HostIndex m) {
      const SimHost& member = hosts_[m];
      if (member.running() && member.incarnation == agreed.incarnation[m]) return;
      ++problems;
      violation("(c) settled",
                fmt::format("liveset {} (announced by h{}) holds h{}#{}, but h{} is {}",
                            format_membership(agreed), first->index, m, agreed.incarnation[m], m,
                            describe(m)));
    });
  }
  if (problems == 0) {
    note(first ? fmt::format("settle check ok: {}", format_membership(first->engine->announced()))
               : std::string("settle check ok: no member runs"));
  }
  if (pool_) pool_->check_settled();
}

void Simulator::update_master_count() {
  std::vector<HostIndex> masters;
  for (const SimHost& h : hosts_)
    if (h.alive() && h.is_master) masters.push_back(h.index);
  if (masters.size() <= 1) {
    multi_master_ = false;
    return;
  }
  if (multi_master_) return;  // one violation per episode, not one per event
  multi_master_ = true;
  std::string list;
  for (HostIndex m : masters)
    list += fmt::format("{}h{} ({})", list.empty() ? "" : ", ", m, to_string(hosts_[m].power));
  violation("(a) one master", fmt::format("{} masters at once: {}", masters.size(), list));
}

void Simulator::show_view(SimHost& h) {
  if (!timeline_.enabled() || !h.engine) return;
  const wire::View& v = h.engine->view();
  if (v.hb_domain == h.shown_hb && v.sf_domain == h.shown_sf) return;
  h.shown_hb = v.hb_domain;
  h.shown_sf = v.sf_domain;
  log(h, fmt::format("sees network {} statefile {}", v.hb_domain.to_string(),
                     v.sf_domain.to_string()));
}

std::optional<HostIndex> Simulator::current_master() const {
  for (const SimHost& h : hosts_)
    if (h.alive() && h.is_master) return h.index;
  return std::nullopt;
}

std::string Simulator::describe(HostIndex index) const {
  const SimHost& h = hosts_[index];
  switch (h.power) {
    case Power::kOff:
      return "off";
    case Power::kFenced:
      return "fenced";
    case Power::kHung:
      return fmt::format("hung until {} (#{})", format_virtual_time(h.hung_until), h.incarnation);
    case Power::kRunning:
      return fmt::format("running #{} {}", h.incarnation,
                         h.engine ? wire::phase_name(h.engine->phase()) : "without engine");
  }
  return "?";
}

}  // namespace poolha::sim

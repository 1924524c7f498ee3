// The membership driver: the engine's inputs come from the loop (datagrams,
// storage completions, timers, probe results, commands), and after every
// input the engine's Ready is carried out in the order the simulator uses:
// packets, statefile ops, then the watchdog or the fence.
#include "daemon/membership/membership_driver.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "io/io_error.h"
#include "wire/phase_name.h"

namespace poolha::daemon {

namespace {

MembershipConfig checked(MembershipConfig config) {
  check_membership_config(config);
  return config;
}

std::string_view pool_state_name(wire::PoolState state) {
  switch (state) {
    case wire::PoolState::kNone:
      return "NONE";
    case wire::PoolState::kInit:
      return "INIT";
    case wire::PoolState::kActive:
      return "ACTIVE";
    case wire::PoolState::kInvalid:
      return "INVALID";
  }
  return "?";
}

std::string describe(const wire::Membership& m) {
  std::string members;
  m.members.for_each([&](HostIndex h) {
    members += fmt::format("{}h{}#{}", members.empty() ? "" : ",", h, m.incarnation[h]);
  });
  return fmt::format("epoch {} [{}] master {}", m.epoch, members,
                     m.master == kNoHost ? std::string("none") : fmt::format("h{}", m.master));
}

bool stopped_phase(wire::Phase phase) {
  return phase == wire::Phase::kLeft || phase == wire::Phase::kDisabled ||
         phase == wire::Phase::kFenced;
}

}  // namespace

MembershipDriver::MembershipDriver(asio::io_context& io, MembershipConfig config,
                                   io::StorageWorker& storage, io::DeviceRegion statefile,
                                   fence::Watchdog& watchdog, const io::Clock& clock,
                                   BootCounter& boot_counter, MembershipListener* listener)
    : io_(io),
      config_(checked(std::move(config))),
      layout_(wire::layout_for(config_.host_count)),
      storage_(storage),
      statefile_{statefile.base, layout_.total_size()},
      watchdog_(watchdog),
      clock_(clock),
      boot_counter_(boot_counter),
      listener_(listener),
      udp_(io, config_.heartbeat_binding,
           [this](std::span<const std::uint8_t> datagram, const asio::ip::udp::endpoint&) {
             on_datagram(datagram);
           }),
      isolation_(io, config_.isolation_addresses, config_.management_interface),
      tick_timer_(io),
      poll_timer_(io) {
  if (statefile.size < layout_.total_size()) {
    throw MembershipConfigError(
        fmt::format("membership: the statefile region holds {} bytes; a {}-host pool needs {}",
                    statefile.size, config_.host_count, layout_.total_size()));
  }
  for (HostIndex h = 0; h < config_.host_count; ++h) {
    if (h != config_.self) udp_.set_peer(h, config_.heartbeat_endpoints[h]);
  }
  if (isolation_.unavailable()) {
    spdlog::warn("membership: isolation probe skipped: {}", *isolation_.unavailable());
  } else {
    spdlog::info("membership: isolation probe targets {}", isolation_.describe_targets());
  }
  spdlog::info("membership: host {} of {}, heartbeats on {}:{}", config_.self, config_.host_count,
               udp_.local_endpoint().address().to_string(), udp_.local_endpoint().port());
  set_off("reading the statefile");
  schedule_poll(Duration::zero());
}

MembershipDriver::~MembershipDriver() {
  alive_.reset();
  tick_timer_.cancel();
  poll_timer_.cancel();
  isolation_.stop();
}

// ---- HA off: watching the global section -----------------------------------

void MembershipDriver::schedule_poll(Duration delay) {
  poll_timer_.expires_after(delay);
  poll_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const std::error_code& error) {
    if (error || alive.expired()) return;
    poll();
  });
}

void MembershipDriver::poll() {
  if (engine_ || halted_) return;
  if (poll_in_flight_ || enable_in_flight_) {
    schedule_poll(config_.poll_interval);
    return;
  }
  poll_in_flight_ = true;
  read_global([this](io::StorageResult result) {
    poll_in_flight_ = false;
    on_polled(result);
  });
}

void MembershipDriver::read_global(std::function<void(io::StorageResult)> done) {
  storage_.submit(
      next_storage_id_++, config_.poll_timeout,
      io::region_read_job(io::DeviceRegion{statefile_.base, layout_.global_size},
                          "statefile global section read"),
      [alive = std::weak_ptr<bool>(alive_), done = std::move(done)](io::StorageResult result) {
        if (alive.expired()) return;
        done(std::move(result));
      });
}

std::optional<std::string> MembershipDriver::refuse_section(const wire::GlobalSection& s) const {
  if (s.generation <= retired_generation_) {
    return fmt::format(
        "HA generation {} already stopped on this host (left or disabled); waiting for a new HA "
        "enable",
        s.generation);
  }
  if (s.host_count != config_.host_count || s.host_uuids != config_.host_uuids) {
    return fmt::format(
        "the statefile's generation {} lists {} hosts that differ from this host's configuration "
        "({} hosts); staying out of HA",
        s.generation, s.host_count, config_.host_count);
  }
  return std::nullopt;
}

void MembershipDriver::on_polled(const io::StorageResult& result) {
  if (engine_ || halted_) return;
  schedule_poll(config_.poll_interval);
  if (!result.ok) {
    set_off_statefile_unreadable("cannot read the statefile's global section: " + result.error);
    publish_status();
    return;
  }
  const auto decoded = wire::decode_global(result.bytes);
  if (!decoded) {
    if (decoded.error() == wire::DecodeError::kEmpty) {
      // Never written: no generation to stay out of, and the next enable is
      // a new one.
      statefile_unreadable_ = false;
      emergency_disabled_ = false;
      set_off("HA is not enabled (the statefile was never written)");
    } else {
      set_off_statefile_unreadable(fmt::format("the statefile's global section is unreadable ({})",
                                               wire::to_string(decoded.error())));
    }
    publish_status();
    return;
  }
  const wire::GlobalSection& section = decoded.value();
  statefile_unreadable_ = false;
  generation_ = section.generation;
  if (emergency_disabled_) {
    emergency_disabled_ = false;
    retired_generation_ = std::max(retired_generation_, section.generation);
    spdlog::warn(
        "membership: the statefile is readable again; after the emergency HA disable this host "
        "stays out of HA generation {}",
        section.generation);
  }
  if (section.pool_state == wire::PoolState::kNone) {
    set_off("HA is not enabled");
  } else if (section.pool_state == wire::PoolState::kInvalid) {
    retired_generation_ = std::max(retired_generation_, section.generation);
    set_off(fmt::format("HA is disabled (generation {})", section.generation));
  } else if (auto refused = refuse_section(section)) {
    set_off(*refused);
  } else {
    auto timing = ha::make_timing(std::chrono::milliseconds(section.base_timeout_ms), {},
                                  config_.environment);
    std::optional<std::string> fencer_problem;
    try {
      fencer_problem = watchdog_.check();
    } catch (const std::exception& e) {
      fencer_problem = e.what();
    }
    if (const auto* error = std::get_if<std::string>(&timing)) {
      set_off(fmt::format("the statefile's HA timeout {} ms is unusable: {}",
                          section.base_timeout_ms, *error));
    } else if (fencer_problem) {
      set_off("this host's fencer does not answer, so it stays out of HA: " + *fencer_problem);
    } else if (auto failed =
                   start_engine(section.generation, std::get<ha::Timing>(timing), false)) {
      set_off(*failed);
    }
  }
  publish_status();
}

// ---- HA enable ----------------------------------------------------------------

void MembershipDriver::post_enable_result(EnableDone done, std::string error) {
  spdlog::warn("membership: HA enable refused: {}", error);
  asio::post(
      io_, [alive = std::weak_ptr<bool>(alive_), done = std::move(done), error = std::move(error)] {
        if (alive.expired()) return;
        done(error);
      });
}

void MembershipDriver::enable(Duration base_timeout, EnableDone done) {
  if (!done) done = [](const std::optional<std::string>&) {};
  if (halted_) return post_enable_result(std::move(done), "this host stopped HA: " + *halted_);
  if (engine_) {
    return post_enable_result(
        std::move(done), fmt::format("HA is already on for this host (generation {}, phase {})",
                                     generation_, wire::phase_name(engine_->phase())));
  }
  if (enable_in_flight_ || enable_done_) {
    return post_enable_result(std::move(done), "an HA enable is already in progress");
  }
  std::optional<std::string> fencer_problem;
  try {
    fencer_problem = watchdog_.check();
  } catch (const std::exception& e) {
    fencer_problem = e.what();
  }
  if (fencer_problem) {
    return post_enable_result(std::move(done),
                              "this host's fencer does not answer: " + *fencer_problem);
  }
  auto timing_or_error = ha::make_timing(base_timeout, {}, config_.environment);
  if (const auto* error = std::get_if<std::string>(&timing_or_error)) {
    return post_enable_result(std::move(done), "unusable HA timeout: " + *error);
  }
  spdlog::info("membership: enabling HA with T = {} s", to_seconds(base_timeout));
  enable_in_flight_ = true;
  enable_done_ = std::move(done);
  read_global([this, timing = std::get<ha::Timing>(timing_or_error)](io::StorageResult result) {
    enable_in_flight_ = false;
    if (halted_) {
      finish_enable("this host stopped HA: " + *halted_);
    } else if (engine_) {
      finish_enable(fmt::format("HA was enabled meanwhile (generation {})", generation_));
    } else if (!result.ok) {
      finish_enable("cannot read the statefile's global section: " + result.error);
    } else {
      const auto decoded = wire::decode_global(result.bytes);
      std::uint64_t previous = 0;
      std::optional<std::string> refused;
      if (decoded) {
        const wire::GlobalSection& s = decoded.value();
        previous = s.generation;
        if (s.pool_state == wire::PoolState::kInit || s.pool_state == wire::PoolState::kActive) {
          refused = fmt::format(
              "HA is already enabled in the statefile (generation {}, pool state {}); disable it "
              "first",
              s.generation, pool_state_name(s.pool_state));
        }
      } else if (decoded.error() != wire::DecodeError::kEmpty) {
        refused = fmt::format(
            "the statefile's global section is unreadable ({}); refusing to pick a generation",
            wire::to_string(decoded.error()));
      }
      if (!refused) {
        refused = start_engine(std::max(previous, retired_generation_) + 1, timing, true);
      }
      if (refused) finish_enable(*refused);
    }
    publish_status();
  });
}

void MembershipDriver::finish_enable(const std::optional<std::string>& error) {
  if (!enable_done_) return;
  EnableDone done = std::exchange(enable_done_, nullptr);
  if (error) {
    spdlog::warn("membership: HA enable failed: {}", *error);
  } else {
    spdlog::info("membership: HA enabled: generation {}, this host is a member", generation_);
  }
  asio::post(io_, [alive = std::weak_ptr<bool>(alive_), done = std::move(done), error] {
    if (alive.expired()) return;
    done(error);
  });
}

// ---- the engine ---------------------------------------------------------------

std::optional<std::string> MembershipDriver::start_engine(std::uint64_t generation,
                                                          const ha::Timing& timing,
                                                          bool initiate_enable) {
  std::uint32_t incarnation = 0;
  try {
    // A second engine in one run is a new life of this host's membership: its
    // slot sequences restart, so it must not share the earlier incarnation.
    incarnation = incarnation_used_ ? boot_counter_.advance() : boot_counter_.value();
  } catch (const std::exception& e) {
    return fmt::format("cannot count a new incarnation: {}", e.what());
  }
  incarnation_used_ = true;

  ha::EngineConfig engine_config;
  engine_config.host_count = config_.host_count;
  engine_config.self = config_.self;
  engine_config.generation = generation;
  engine_config.secret = config_.secret;
  engine_config.weights = config_.weights;
  engine_config.host_uuids = config_.host_uuids;
  engine_config.timing = timing;

  const TimePoint now = clock_.now();
  engine_ = std::make_unique<ha::Engine>(std::move(engine_config), incarnation, now);
  status_.left_cleanly = false;
  ++engine_serial_;
  generation_ = generation;
  incarnation_ = incarnation;
  timing_ = timing;
  storage_failing_ = false;
  spdlog::info("membership: HA on: generation {}, incarnation {}, T = {} s", generation,
               incarnation, to_seconds(timing.base));

  if (initiate_enable) engine_->command(now, ha::Command{ha::Command::Kind::kEnable});
  if (isolation_reachable_) engine_->set_isolation_reachable(now, *isolation_reachable_);
  isolation_.start(timing.unsteady_after, timing.unsteady_after / 2,
                   [this](const io::IsolationProbeResult& result) { on_isolation(result); });
  drive([](ha::Engine& engine, TimePoint t) { engine.tick(t); });
  return std::nullopt;
}

template <typename Input>
void MembershipDriver::drive(Input&& input) {
  if (!engine_) return;
  input(*engine_, clock_.now());
  process_ready();
}

void MembershipDriver::process_ready() {
  if (!engine_) return;
  ha::Ready ready = engine_->take_ready();
  for (ha::Event& event : ready.events) {
    log_event(event);
    pending_events_.push_back(std::move(event));
  }
  for (ha::OutgoingPacket& packet : ready.packets) {
    try {
      udp_.send(packet.to, std::move(packet.bytes));
    } catch (const io::IoError& e) {
      spdlog::error("membership: heartbeat to host {} not sent: {}", packet.to, e.what());
    }
  }
  for (const ha::StorageOp& op : ready.storage) run_storage_op(op);

  if (ready.fence) {
    fence(*ready.fence);
  } else {
    apply_watchdog(ready.watchdog);
  }

  if (engine_) {
    const wire::Phase phase = engine_->phase();
    if (stopped_phase(phase)) {
      retire_engine();
    } else {
      if (enable_done_ && phase == wire::Phase::kMember && engine_->announced().epoch > 0) {
        finish_enable(std::nullopt);
      }
      schedule_tick();
    }
  }
  publish_status();
}

void MembershipDriver::run_storage_op(const ha::StorageOp& op) {
  storage_.submit(next_storage_id_++, timing_->io_timeout, io::statefile_job(op, statefile_),
                  [this, alive = std::weak_ptr<bool>(alive_), serial = engine_serial_,
                   op_id = op.id, kind = op.kind](io::StorageResult result) {
                    if (alive.expired() || serial != engine_serial_ || !engine_) return;
                    if (!result.ok) {
                      if (!storage_failing_)
                        spdlog::warn("membership: statefile I/O failed: {}", result.error);
                      storage_failing_ = true;
                      drive([op_id](ha::Engine& engine, TimePoint t) {
                        engine.storage_done(t, op_id, false, nullptr);
                      });
                      return;
                    }
                    if (storage_failing_) spdlog::info("membership: statefile I/O works again");
                    storage_failing_ = false;
                    if (kind == ha::StorageOp::Kind::kReadAll) {
                      const wire::StatefileImage image =
                          wire::decode_statefile(result.bytes, config_.host_count);
                      drive([op_id, &image](ha::Engine& engine, TimePoint t) {
                        engine.storage_done(t, op_id, true, &image);
                      });
                    } else {
                      drive([op_id](ha::Engine& engine, TimePoint t) {
                        engine.storage_done(t, op_id, true, nullptr);
                      });
                    }
                  });
}

void MembershipDriver::on_datagram(std::span<const std::uint8_t> datagram) {
  drive([datagram](ha::Engine& engine, TimePoint t) { engine.receive_packet(t, datagram); });
}

void MembershipDriver::on_isolation(const io::IsolationProbeResult& result) {
  const bool changed = !isolation_reachable_ || *isolation_reachable_ != result.reachable;
  isolation_reachable_ = result.reachable;
  if (!changed) return;
  if (result.reachable) {
    spdlog::info("membership: isolation address {} reachable",
                 result.answered_by ? result.answered_by->to_string() : std::string("?"));
  } else {
    spdlog::warn("membership: isolation addresses unreachable: {}", result.detail);
  }
  const bool reachable = result.reachable;
  drive([reachable](ha::Engine& engine, TimePoint t) {
    engine.set_isolation_reachable(t, reachable);
  });
}

void MembershipDriver::schedule_tick() {
  if (!engine_) return;
  const TimePoint wake = engine_->next_wakeup();
  if (wake == TimePoint::max()) {
    tick_timer_.cancel();
    return;
  }
  tick_timer_.expires_after(std::max(Duration::zero(), wake - clock_.now()));
  tick_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_),
                          serial = engine_serial_](const std::error_code& error) {
    if (error || alive.expired() || serial != engine_serial_) return;
    drive([](ha::Engine& engine, TimePoint t) { engine.tick(t); });
  });
}

// ---- fencing ------------------------------------------------------------------

void MembershipDriver::apply_watchdog(ha::WatchdogAction action) {
  switch (action) {
    case ha::WatchdogAction::kNone:
      return;
    case ha::WatchdogAction::kKick:
      try {
        if (!watchdog_armed_) {
          watchdog_.arm(timing_->watchdog);
          watchdog_armed_ = true;
          spdlog::info("membership: watchdog armed ({} s)", to_seconds(timing_->watchdog));
        }
        watchdog_.kick();
      } catch (const std::exception& e) {
        // An unprotected host must not go on as a member.
        fence(fmt::format("the fencer failed while this host is a member: {}", e.what()));
      }
      return;
    case ha::WatchdogAction::kDisarm:
      if (!watchdog_armed_) return;
      try {
        watchdog_.disarm();
        spdlog::info("membership: watchdog disarmed");
      } catch (const std::exception& e) {
        spdlog::error("membership: watchdog disarm failed: {}", e.what());
      }
      watchdog_armed_ = false;
      return;
  }
}

void MembershipDriver::fence(const std::string& reason) {
  spdlog::critical("membership: fencing this host: {}", reason);
  try {
    watchdog_.fence_now(reason);
    spdlog::critical("membership: fence carried out; this host stops taking part in HA");
  } catch (const std::exception& e) {
    spdlog::critical("membership: fence failed ({}); this host stops taking part in HA", e.what());
  }
  halt("fenced: " + reason);
}

// The watchdog stays as it is: armed after a fence, it must still fire.
void MembershipDriver::halt(const std::string& reason) {
  halted_ = reason;
  engine_.reset();
  ++engine_serial_;
  timing_.reset();
  tick_timer_.cancel();
  poll_timer_.cancel();
  isolation_.stop();
  finish_enable("this host stopped HA: " + reason);
  set_off(reason);
}

void MembershipDriver::retire_engine() {
  const wire::Phase phase = engine_->phase();
  status_.left_cleanly = phase == wire::Phase::kLeft;
  retired_generation_ = std::max(retired_generation_, generation_);
  if (watchdog_armed_) apply_watchdog(ha::WatchdogAction::kDisarm);
  engine_.reset();
  ++engine_serial_;
  timing_.reset();
  tick_timer_.cancel();
  isolation_.stop();
  finish_enable(fmt::format("this host stopped before joining a liveset (phase {})",
                            wire::phase_name(phase)));
  set_off(fmt::format("HA stopped on this host: phase {} in generation {}", wire::phase_name(phase),
                      generation_));
  schedule_poll(config_.poll_interval);
}

// ---- commands -----------------------------------------------------------------

std::optional<std::string> MembershipDriver::send_command(const ha::Command& command) {
  if (halted_) return "this host stopped HA: " + *halted_;
  if (!engine_) return "HA is off on this host: " + status_.off_reason;
  drive([&command](ha::Engine& engine, TimePoint t) { engine.command(t, command); });
  return std::nullopt;
}

std::optional<std::string> MembershipDriver::disable() {
  return send_command(ha::Command{ha::Command::Kind::kDisable});
}

std::optional<std::string> MembershipDriver::leave() {
  return send_command(ha::Command{ha::Command::Kind::kLeave});
}

std::optional<std::string> MembershipDriver::hand_over(HostIndex target) {
  if (target >= config_.host_count) {
    return fmt::format("host {} is not in this {}-host pool", target, config_.host_count);
  }
  if (target == config_.self) return std::string("cannot hand the master role to this host itself");
  return send_command(ha::Command{ha::Command::Kind::kHandOverMaster, target});
}

std::optional<std::string> MembershipDriver::disarm_fencing() {
  return send_command(ha::Command{ha::Command::Kind::kDisarmFencing});
}

std::optional<std::string> MembershipDriver::emergency_disable() {
  if (!engine_ && !halted_ && statefile_unreadable_) {
    // xapi's emergency mode: the host would join HA but cannot read the
    // statefile. Nothing is armed yet, so disabling means staying out of the
    // generation it finds once the statefile is back, as after a leave.
    emergency_disabled_ = true;
    spdlog::warn(
        "membership: emergency HA disable while the statefile cannot be read: this host will "
        "stay out of the HA generation it finds there");
    set_off_statefile_unreadable(unreadable_reason_);
    publish_status();
    return std::nullopt;
  }
  return send_command(ha::Command{ha::Command::Kind::kEmergencyDisable});
}

// ---- reporting ----------------------------------------------------------------

std::vector<HostReachability> MembershipDriver::hosts() const {
  std::vector<HostReachability> seen;
  if (!engine_) return seen;
  const wire::View& view = engine_->view();
  const wire::Membership& announced = engine_->announced();
  for (HostIndex h = 0; h < config_.host_count; ++h) {
    seen.push_back(HostReachability{h, announced.members.contains(h), view.hb_domain.contains(h),
                                    view.sf_domain.contains(h)});
  }
  return seen;
}

void MembershipDriver::log_event(const ha::Event& event) const {
  switch (event.kind) {
    case ha::Event::Kind::kPhase:
      spdlog::info("membership: phase {}", event.text);
      return;
    case ha::Event::Kind::kLivesetChanged:
      spdlog::info("membership: liveset {}", describe(event.membership));
      return;
    case ha::Event::Kind::kMasterChanged:
      spdlog::info("membership: {}", event.is_master ? "this host is master" : "no longer master");
      return;
    case ha::Event::Kind::kAlert:
      spdlog::warn("membership: alert {}: {}", event.name, event.text);
      return;
    case ha::Event::Kind::kFenced:
      spdlog::critical("membership: engine fences this host: {}", event.text);
      return;
    case ha::Event::Kind::kNote:
      spdlog::debug("membership: {}", event.text);
      return;
  }
}

void MembershipDriver::set_off_statefile_unreadable(std::string why) {
  if (!statefile_unreadable_) {
    // Once per outage: the engine raises the same alert when it loses the
    // statefile at start, but no engine runs before the global section is read.
    pending_events_.push_back(ha::Event{
        ha::Event::Kind::kAlert,
        "HA_HOST_CANNOT_ACCESS_STATEFILE",
        fmt::format("this host cannot read the statefile ({}); it waits with fencing not armed "
                    "and takes part in HA once it can",
                    why),
        {},
        false});
  }
  statefile_unreadable_ = true;
  unreadable_reason_ = why;
  if (emergency_disabled_) {
    why =
        "HA emergency-disabled on this host: it stays out of the HA generation it finds once "
        "the statefile can be read; " +
        why;
  }
  set_off(std::move(why));
}

void MembershipDriver::set_off(std::string reason) {
  if (reason != last_off_logged_) {
    spdlog::info("membership: HA off: {}", reason);
    last_off_logged_ = reason;
  }
  status_.off_reason = std::move(reason);
}

void MembershipDriver::refresh_status() {
  status_.ha_on = engine_ != nullptr;
  status_.generation = generation_;
  status_.watchdog_armed = watchdog_armed_;
  if (engine_) {
    status_.off_reason.clear();
    last_off_logged_.clear();
    status_.incarnation = incarnation_;
    status_.phase = engine_->phase();
    status_.announced = engine_->announced();
    status_.is_master = engine_->is_master();
    status_.timing = timing_;
  } else {
    status_.incarnation = 0;
    status_.phase = wire::Phase::kBooting;
    status_.announced = wire::Membership{};
    status_.is_master = false;
    status_.timing.reset();
  }
}

void MembershipDriver::publish_status() {
  std::vector<ha::Event> events = std::exchange(pending_events_, {});
  if (listener_) {
    for (const ha::Event& event : events) listener_->on_event(event);
  }
  refresh_status();
  if (published_once_ && same_status(status_, published_)) return;
  published_ = status_;
  published_once_ = true;
  if (listener_) listener_->on_status(status_);
}

}  // namespace poolha::daemon

// The membership engine. The protocol and the safety argument are in
// docs/protocol.md; the comments here point at the rule each step implements.
#include "ha/engine.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/check.h"
#include "ha/survivor_rule.h"
#include "wire/heartbeat.h"
#include "wire/phase_name.h"

namespace poolha::ha {

using wire::Membership;
using wire::Phase;
using wire::View;

namespace {

constexpr TimePoint kNever = TimePoint::max();
constexpr TimePoint kLongAgo = TimePoint::min();

std::string host_name(HostIndex h) {
  return "h" + std::to_string(h);
}

std::string describe(const Membership& m) {
  return "epoch " + std::to_string(m.epoch) + " " + m.members.to_string() + " master " +
         (m.master == kNoHost ? std::string("none") : host_name(m.master));
}

std::uint64_t stamp_of(TimePoint t) {
  return static_cast<std::uint64_t>(to_us(t));
}
TimePoint time_of_stamp(std::uint64_t s) {
  return from_us(static_cast<std::int64_t>(s));
}

}  // namespace

// What this host knows about one other host, from both channels.
struct PeerState {
  // Network channel: the newest accepted packet.
  bool net_any = false;
  std::uint32_t net_inc = 0;
  std::uint64_t net_seq = 0;
  TimePoint net_last = kLongAgo;
  View net_view;

  // Storage channel: when its slot was last seen to change, and its content.
  bool sf_any = false;
  std::uint32_t sf_inc = 0;
  std::uint64_t sf_seq = 0;
  TimePoint sf_changed = kLongAgo;
  View sf_view;

  // Newest send stamp received from incarnation `echo_inc`, echoed back as an ack.
  std::uint32_t echo_inc = 0;
  std::uint64_t echo_stamp = 0;
  // When the newest stamp of its member incarnation arrived: bounds its lease.
  TimePoint member_heard_at = kLongAgo;

  // Newest stamp of mine it echoed, for my lease.
  std::uint64_t ack_stamp = 0;
  bool ack_any = false;
  TimePoint lease_floor = kLongAgo;  // lease start for a member not yet heard
  // Incarnation of this host seen acting on a liveset that contains me: from
  // then on its lease needs my acks, which is what makes a removal wait valid.
  std::uint32_t bound_to_me_inc = 0;
  TimePoint added_at = kLongAgo;  // when the liveset that admitted it was adopted here
};

struct PendingRemoval {
  HostIndex host;
  std::uint32_t incarnation;
  TimePoint not_before;
};

// The last completed write of my slot and what it carried.
struct WriteRecord {
  bool valid = false;
  std::uint64_t sequence = 0;
  TimePoint completed = kLongAgo;
  bool had_proposal = false;
  bool committed = false;
  Membership proposal;
};

class Engine::Impl {
 public:
  Impl(EngineConfig config, std::uint32_t incarnation, TimePoint now)
      : cfg_(std::move(config)),
        t_(cfg_.timing),
        inc_(incarnation),
        layout_(wire::layout_for(cfg_.host_count)),
        peers_(cfg_.host_count),
        boot_time_(now) {
    POOLHA_CHECK(cfg_.host_count >= 1 && cfg_.host_count <= kMaxHosts, "pool size 1..256");
    POOLHA_CHECK(cfg_.self < cfg_.host_count, "self inside the pool");
    POOLHA_CHECK(incarnation != 0, "incarnation 0 is reserved");
    POOLHA_CHECK(cfg_.weights.size() == cfg_.host_count, "one weight per host");
    view_.phase = Phase::kBooting;
    view_.weight = cfg_.weights[cfg_.self];
    next_hb_ = now;
    next_cycle_ = now;
    boot_observe_from_ = now;
    note(now, "started, incarnation " + std::to_string(inc_));
  }

  // ---- inputs -------------------------------------------------------------

  void tick(TimePoint now) {
    if (stopped()) return;
    now_ = now;
    if (op_ && !op_stalled_ && now - op_->issued >= t_.io_timeout) {
      op_stalled_ = true;
      note(now,
           "statefile op stalled for more than " + std::to_string(to_seconds(t_.io_timeout)) + "s");
    }
    after_input(now);
  }

  void receive_packet(TimePoint now, std::span<const std::uint8_t> bytes) {
    if (stopped()) return;
    now_ = now;
    auto decoded = wire::decode_heartbeat(bytes, cfg_.secret);
    if (!decoded) return;
    const wire::HeartbeatPacket& p = decoded.value();
    if (p.generation != cfg_.generation || p.host_count != cfg_.host_count ||
        p.recipient != cfg_.self || p.sender == cfg_.self || p.sender >= cfg_.host_count) {
      return;
    }
    PeerState& peer = peers_[p.sender];
    // Replay protection: incarnations only grow, sequences grow within one.
    if (peer.net_any && (p.incarnation < peer.net_inc ||
                         (p.incarnation == peer.net_inc && p.sequence <= peer.net_seq))) {
      return;
    }
    peer.net_any = true;
    peer.net_inc = p.incarnation;
    peer.net_seq = p.sequence;
    peer.net_last = now;
    peer.net_view = p.view;
    record_stamp(p.sender, p.incarnation, p.stamp_us, now);
    if (p.echo.incarnation == inc_) record_ack(p.sender, p.incarnation, p.echo.stamp_us);
    observe_remote(now, p.sender, p.incarnation, p.view);
    after_input(now);
  }

  void storage_done(TimePoint now, std::uint64_t id, bool ok, const wire::StatefileImage* image) {
    if (stopped()) return;
    now_ = now;
    if (!op_ || op_->id != id) return;
    Op op = *op_;
    op_.reset();
    const bool timely = !op_stalled_ && now - op.issued <= t_.io_timeout;
    op_stalled_ = false;
    if (!ok) {
      storage_failed(
          now, op.kind == OpKind::kReadAll ? "statefile read failed" : "statefile write failed");
    } else if (op.kind == OpKind::kWriteSlot) {
      last_write_ = op.record;
      last_write_.valid = true;
      last_write_.completed = now;
      write_done(now);
      issue_read(now);  // every slot write is followed by a read of everything
    } else if (op.kind == OpKind::kWriteGlobal) {
      global_written(now);
      issue_slot_write(now);
    } else {
      POOLHA_CHECK(image != nullptr, "a successful read carries an image");
      schedule_cycle(now);
      read_once_ = true;
      read_done(now, *image, timely, op.issued);
    }
    after_input(now);
  }

  void command(TimePoint now, const Command& cmd) {
    now_ = now;
    switch (cmd.kind) {
      case Command::Kind::kEnable:
        if (stopped()) return;
        pending_global_ = wire::GlobalSection{};
        pending_global_->generation = cfg_.generation;
        pending_global_->pool_state = wire::PoolState::kInit;
        pending_global_->host_count = cfg_.host_count;
        pending_global_->base_timeout_ms = static_cast<std::uint32_t>(t_.base.count() / 1000);
        pending_global_->master = cfg_.self;
        pending_global_->host_uuids = cfg_.host_uuids;
        if (pending_global_->host_uuids.size() != cfg_.host_count) {
          pending_global_->host_uuids.assign(cfg_.host_count, wire::Uuid{});
        }
        note(now, "enabling HA: pool state INIT, this host will be master");
        break;
      case Command::Kind::kDisable:
        if (stopped()) return;
        pending_global_ = global_.value_or(wire::GlobalSection{});
        pending_global_->generation = cfg_.generation;
        pending_global_->host_count = cfg_.host_count;
        pending_global_->pool_state = wire::PoolState::kInvalid;
        if (pending_global_->host_uuids.size() != cfg_.host_count) {
          pending_global_->host_uuids.assign(cfg_.host_count, wire::Uuid{});
        }
        note(now, "disabling HA: pool state INVALID");
        break;
      case Command::Kind::kLeave:
        if (view_.phase == Phase::kMember) {
          view_.flags |= wire::kFlagLeaving;
          note(now, "leaving the liveset on request");
          send_now_ = true;
        } else if (!stopped()) {
          stop(now, Phase::kLeft, "left before joining a liveset");
        }
        break;
      case Command::Kind::kHandOverMaster:
        if (!master_ || cmd.target >= cfg_.host_count || cmd.target == cfg_.self ||
            !view_.current.members.contains(cmd.target)) {
          alert(now, "HA_HANDOVER_REFUSED",
                "hand-over needs this host to be master and the target to be a live member");
          break;
        }
        handover_to_ = cmd.target;
        note(now, "handing the master role over to " + host_name(cmd.target));
        break;
      case Command::Kind::kDisarmFencing:
        if (armed_) ready_.watchdog = WatchdogAction::kDisarm;
        armed_ = false;
        disarmed_by_operator_ = true;
        note(now, "fencing disarmed by the operator");
        break;
      case Command::Kind::kEmergencyDisable:
        stop(now, Phase::kDisabled, "emergency HA disable");
        break;
    }
    after_input(now);
  }

  void set_isolation_reachable(TimePoint now, bool reachable) {
    now_ = now;
    const bool before = view_.has(wire::kFlagIsolationReachable);
    if (reachable) {
      view_.flags |= wire::kFlagIsolationReachable;
    } else {
      view_.flags &= static_cast<std::uint16_t>(~wire::kFlagIsolationReachable);
    }
    if (before != reachable) {
      isolation_changed_at_ = now;
      note(now, reachable ? "isolation address reachable" : "isolation address unreachable");
    }
  }

  Ready take_ready() { return std::exchange(ready_, Ready{}); }

  TimePoint next_wakeup() const {
    if (stopped()) return kNever;
    TimePoint w = next_hb_;
    if (!op_) {
      w = std::min(w, next_cycle_);
    } else if (!op_stalled_) {
      w = std::min(w, op_->issued + t_.io_timeout);
    }
    if (view_.phase == Phase::kMember && armed_) {
      auto lease = lease_expiry();
      // The next kick is only worth a wake-up while the lease still allows it;
      // new acks arrive as inputs and re-evaluate this anyway.
      if (last_kick_ != kLongAgo && (!lease || now_ + t_.watchdog <= *lease)) {
        w = std::min(w, last_kick_ + t_.watchdog / 4);
        // The last moment a kick is still allowed: the watchdog then fires
        // exactly at the lease expiry, not earlier.
        if (lease && last_kick_ < *lease - t_.watchdog) w = std::min(w, *lease - t_.watchdog);
      }
      if (lease) w = std::min(w, *lease);
    }
    // A passed deadline that still waits for evidence needs no wake-up: the
    // evidence arrives as an input.
    for (const PendingRemoval& r : pending_) {
      if (r.not_before > now_) w = std::min(w, r.not_before);
    }
    return std::max(w, now_);
  }

  // ---- introspection ------------------------------------------------------

  Phase phase() const { return view_.phase; }
  bool is_master() const { return master_; }
  bool armed() const { return armed_; }
  const Membership& announced() const { return announced_; }
  const Membership& current() const { return view_.current; }
  const View& view() const { return view_; }
  HostIndex self() const { return cfg_.self; }
  std::uint32_t incarnation() const { return inc_; }

  // A member's right to run: every other member must have acked one of its
  // stamps within the lease (docs/protocol.md, "Leases").
  std::optional<TimePoint> lease_expiry() const {
    std::optional<TimePoint> expiry;
    view_.current.members.for_each([&](HostIndex h) {
      if (h == cfg_.self) return;
      const PeerState& p = peers_[h];
      TimePoint base = p.lease_floor;
      if (p.ack_any) base = std::max(base, time_of_stamp(p.ack_stamp));
      TimePoint e = base == kLongAgo ? kLongAgo : base + t_.lease;
      expiry = expiry ? std::min(*expiry, e) : e;
    });
    return expiry;
  }

 private:
  enum class OpKind { kReadAll, kWriteSlot, kWriteGlobal };
  struct Op {
    std::uint64_t id;
    OpKind kind;
    TimePoint issued;
    WriteRecord record;  // kWriteSlot: what the write carries
  };

  bool stopped() const {
    return view_.phase == Phase::kFenced || view_.phase == Phase::kLeft ||
           view_.phase == Phase::kDisabled;
  }

  // ---- outputs ------------------------------------------------------------

  void note(TimePoint, std::string text) {
    ready_.events.push_back(Event{Event::Kind::kNote, {}, std::move(text), {}, false});
  }
  void alert(TimePoint, const std::string& name, std::string text) {
    ready_.events.push_back(Event{Event::Kind::kAlert, name, std::move(text), {}, false});
  }
  void set_phase(TimePoint, Phase p) {
    if (view_.phase == p) return;
    view_.phase = p;
    ready_.events.push_back(
        Event{Event::Kind::kPhase, {}, std::string(wire::phase_name(p)), {}, false});
    send_now_ = true;
  }
  void set_master(TimePoint now, bool m) {
    if (master_ == m) return;
    master_ = m;
    if (m) {
      view_.flags |= wire::kFlagMaster;
    } else {
      view_.flags &= static_cast<std::uint16_t>(~wire::kFlagMaster);
    }
    ready_.events.push_back(Event{Event::Kind::kMasterChanged, {}, {}, {}, m});
    send_now_ = true;
    if (m) {
      // Mirror the lock into the global section for readers outside the liveset.
      wire::GlobalSection g = global_.value_or(wire::GlobalSection{});
      g.generation = cfg_.generation;
      g.host_count = cfg_.host_count;
      g.base_timeout_ms = static_cast<std::uint32_t>(t_.base.count() / 1000);
      if (g.pool_state != wire::PoolState::kInvalid) g.pool_state = wire::PoolState::kActive;
      g.master = cfg_.self;
      g.master_incarnation = inc_;
      g.master_epoch = view_.current.epoch;
      if (g.host_uuids.size() != cfg_.host_count) {
        g.host_uuids = cfg_.host_uuids;
        if (g.host_uuids.size() != cfg_.host_count) g.host_uuids.assign(cfg_.host_count, {});
      }
      pending_global_ = g;
      note(now, "became master of " + describe(view_.current));
    }
  }

  void fence(TimePoint now, const std::string& reason) {
    if (stopped()) return;
    if (!armed_) {
      alert(now, "HA_FENCE_SUPPRESSED", "would fence (" + reason + ") but fencing is disarmed");
      stop(now, Phase::kDisabled, "fencing disarmed: " + reason);
      return;
    }
    ready_.fence = reason;
    ready_.events.push_back(Event{Event::Kind::kFenced, {}, reason, {}, false});
    set_master(now, false);
    set_phase(now, Phase::kFenced);
  }

  void stop(TimePoint now, Phase phase, const std::string& why) {
    note(now, why);
    if (armed_) ready_.watchdog = WatchdogAction::kDisarm;
    armed_ = false;
    set_master(now, false);
    set_phase(now, phase);
    // A last slot write and heartbeat tell the others at once.
    if (!op_) issue_slot_write(now);
    send_heartbeats(now);
  }

  // ---- channel bookkeeping -------------------------------------------------

  std::uint32_t member_incarnation(HostIndex h) const {
    if (view_.current.members.contains(h)) return view_.current.incarnation[h];
    if (view_.has_proposal && view_.proposal.members.contains(h)) {
      return view_.proposal.incarnation[h];
    }
    return 0;
  }

  // I echo a host's stamps only while it is in my liveset or my proposal: once
  // I commit its removal my echo stops, so its lease runs out.
  bool echo_eligible(HostIndex h, std::uint32_t inc) const {
    return inc != 0 && (view_.current.contains(h, inc) ||
                        (view_.has_proposal && view_.proposal.contains(h, inc)));
  }

  void record_stamp(HostIndex h, std::uint32_t inc, std::uint64_t stamp, TimePoint now) {
    PeerState& p = peers_[h];
    if (inc > p.echo_inc) {
      p.echo_inc = inc;
      p.echo_stamp = 0;
    }
    if (inc == p.echo_inc && stamp > p.echo_stamp) {
      p.echo_stamp = stamp;
      if (echo_eligible(h, inc)) p.member_heard_at = now;
    }
  }

  void record_ack(HostIndex h, std::uint32_t sender_inc, std::uint64_t stamp) {
    if (sender_inc == 0 || sender_inc != member_incarnation(h)) return;
    if (stamp > stamp_of(now_)) return;  // never from the future of this incarnation
    PeerState& p = peers_[h];
    if (!p.ack_any || stamp > p.ack_stamp) {
      p.ack_stamp = stamp;
      p.ack_any = true;
    }
  }

  wire::Ack echo_for(HostIndex h) const {
    const PeerState& p = peers_[h];
    if (!echo_eligible(h, p.echo_inc) || p.echo_stamp == 0) return {};
    return wire::Ack{p.echo_inc, p.echo_stamp};
  }

  bool heard_on_network(HostIndex h, TimePoint now) const {
    const PeerState& p = peers_[h];
    return p.net_any && now - p.net_last < t_.peer_timeout;
  }
  bool fresh_on_storage(HostIndex h, TimePoint now) const {
    const PeerState& p = peers_[h];
    return p.sf_any && now - p.sf_changed < t_.peer_timeout;
  }
  bool storage_ok(TimePoint now) const {
    return last_good_cycle_ != kLongAgo && now - last_good_cycle_ < t_.peer_timeout && !op_stalled_;
  }

  // The newest view a host published, through either channel, for its incarnation.
  const View* newest_view(HostIndex h, std::uint32_t inc) const {
    const PeerState& p = peers_[h];
    const View* net = p.net_any && p.net_inc == inc ? &p.net_view : nullptr;
    const View* sf = p.sf_any && p.sf_inc == inc ? &p.sf_view : nullptr;
    if (!net) return sf;
    if (!sf) return net;
    return net->current.epoch >= sf->current.epoch ? net : sf;
  }

  // `h` in incarnation `inc` was seen joining (a member of nothing yet) while
  // it already knew of epoch `epoch`.
  bool seen_joining_since(HostIndex h, std::uint32_t inc, std::uint64_t epoch) const {
    const PeerState& p = peers_[h];
    const auto joining = [&](bool any, std::uint32_t seen_inc, const View& v) {
      return any && seen_inc == inc && v.phase == Phase::kJoining && v.current.epoch >= epoch;
    };
    return joining(p.net_any, p.net_inc, p.net_view) || joining(p.sf_any, p.sf_inc, p.sf_view);
  }

  void refresh_view(TimePoint now) {
    HostSet hb, sf;
    hb.insert(cfg_.self);
    bool steady = true;
    for (HostIndex h = 0; h < cfg_.host_count; ++h) {
      if (h == cfg_.self) continue;
      if (heard_on_network(h, now)) hb.insert(h);
      if (fresh_on_storage(h, now)) sf.insert(h);
      // Steadiness is about the liveset: a joiner flapping must not hold up
      // the removal of a failed member.
      if (!view_.current.members.contains(h)) continue;
      const PeerState& p = peers_[h];
      auto approaching = [&](bool any, TimePoint last) {
        if (!any) return false;
        Duration age = now - last;
        return age >= t_.unsteady_after && age < t_.peer_timeout;
      };
      if (approaching(p.net_any, p.net_last) || approaching(p.sf_any, p.sf_changed)) {
        steady = false;
      }
    }
    if (storage_ok(now)) sf.insert(cfg_.self);
    // A network that just came or went: its heartbeats have not caught up yet.
    if (isolation_changed_at_ != kLongAgo && now - isolation_changed_at_ < t_.unsteady_after) {
      steady = false;
    }
    view_.hb_domain = hb;
    view_.sf_domain = sf;
    auto set_flag = [&](wire::ViewFlag f, bool on) {
      if (on) {
        view_.flags |= f;
      } else {
        view_.flags &= static_cast<std::uint16_t>(~f);
      }
    };
    set_flag(wire::kFlagSteady, steady);
    set_flag(wire::kFlagStorageAccess, storage_ok(now));
  }

  // ---- network ------------------------------------------------------------

  void send_heartbeats(TimePoint now) {
    wire::HeartbeatPacket p;
    p.generation = cfg_.generation;
    p.host_count = cfg_.host_count;
    p.sender = cfg_.self;
    p.incarnation = inc_;
    p.stamp_us = stamp_of(now);
    p.view = view_;
    for (HostIndex h = 0; h < cfg_.host_count; ++h) {
      if (h == cfg_.self) continue;
      p.recipient = h;
      p.sequence = ++send_seq_;
      p.echo = echo_for(h);
      ready_.packets.push_back(OutgoingPacket{h, wire::encode_heartbeat(p, cfg_.secret)});
    }
    next_hb_ = now + t_.hb_interval;
    send_now_ = false;
  }

  // ---- statefile ----------------------------------------------------------

  Duration cycle_interval() const {
    const bool busy = view_.has_proposal || view_.phase == Phase::kJoining ||
                      view_.phase == Phase::kBooting || !pending_.empty() ||
                      handover_to_ != kNoHost;
    return busy ? t_.sf_fast_interval : t_.sf_interval;
  }

  void schedule_cycle(TimePoint now) { next_cycle_ = now + cycle_interval(); }

  void start_cycle(TimePoint now) {
    if (!read_once_) {
      // Read before the first write: this host's own slot may hold the only
      // record of the latest liveset (whole-pool restart).
      issue_read(now);
    } else if (pending_global_) {
      issue_global_write(now);
    } else {
      issue_slot_write(now);
    }
  }

  std::uint64_t new_op(OpKind kind, TimePoint now) {
    POOLHA_CHECK(!op_, "at most one statefile op outstanding");
    op_ = Op{next_op_id_++, kind, now, {}};
    return op_->id;
  }

  void issue_global_write(TimePoint now) {
    std::uint64_t id = new_op(OpKind::kWriteGlobal, now);
    written_global_ = *pending_global_;
    ready_.storage.push_back(
        StorageOp{StorageOp::Kind::kWrite, id, 0, wire::encode_global(*pending_global_)});
  }

  void global_written(TimePoint now) {
    if (pending_global_ && written_global_ &&
        pending_global_->pool_state == written_global_->pool_state &&
        pending_global_->master == written_global_->master &&
        pending_global_->master_epoch == written_global_->master_epoch) {
      pending_global_.reset();
    }
    note(now, "global section written");
  }

  void issue_slot_write(TimePoint now) {
    wire::HostSlot s;
    s.generation = cfg_.generation;
    s.host_count = cfg_.host_count;
    s.host = cfg_.self;
    s.incarnation = inc_;
    // Sequences continue across restarts because the incarnation is the high
    // half: the newer copy always wins pick_slot.
    s.sequence = (static_cast<std::uint64_t>(inc_) << 32) | ++slot_counter_;
    // Never overwrite the last copy known to be intact: a torn or lost write
    // is retried on the same copy, so one good copy always remains.
    if (verified_copy_ >= 0 && wire::slot_copy_for(s.sequence) == verified_copy_) {
      s.sequence = (static_cast<std::uint64_t>(inc_) << 32) | ++slot_counter_;
    }
    s.stamp_us = stamp_of(now);
    s.view = view_;
    s.acks.resize(cfg_.host_count);
    for (HostIndex h = 0; h < cfg_.host_count; ++h) {
      if (h != cfg_.self) s.acks[h] = echo_for(h);
    }
    std::uint64_t id = new_op(OpKind::kWriteSlot, now);
    op_->record.sequence = s.sequence;
    op_->record.had_proposal = view_.has_proposal;
    op_->record.committed = view_.proposal_committed;
    op_->record.proposal = view_.proposal;
    if (view_.has_proposal) remember_published(view_.proposal, now);
    ready_.storage.push_back(StorageOp{
        StorageOp::Kind::kWrite, id,
        layout_.slot_offset(cfg_.self, wire::slot_copy_for(s.sequence)), wire::encode_slot(s)});
  }

  void issue_read(TimePoint now) {
    std::uint64_t id = new_op(OpKind::kReadAll, now);
    ready_.storage.push_back(StorageOp{StorageOp::Kind::kReadAll, id, 0, {}});
  }

  void storage_failed(TimePoint now, const std::string& what) {
    if (storage_ok(now)) note(now, what);
    last_good_cycle_ = std::min(last_good_cycle_, now - t_.peer_timeout);
    schedule_cycle(now);
  }

  void write_done(TimePoint now) {
    // A commit intent counts only if it landed within commit_window of the
    // proposal write the agreement check relied on (docs/protocol.md, "Commit").
    if (last_write_.committed) {
      if (now - agreed_write_completed_ > t_.commit_window) {
        note(now, "commit write too slow; proposal re-published");
        view_.proposal_committed = false;
        awaiting_readback_ = false;
      } else {
        awaiting_readback_ = true;
      }
    }
  }

  void read_done(TimePoint now, const wire::StatefileImage& image, bool timely, TimePoint issued) {
    // Global section. A newer generation there means HA was disabled and
    // enabled again while this host did not read INVALID in between: for
    // this engine's generation that is a disable. Carrying on would let it
    // count the hosts of the new generation as dead.
    if (image.global && image.global->generation > cfg_.generation) {
      stop(now, Phase::kDisabled,
           "HA disabled: the statefile holds HA generation " +
               std::to_string(image.global->generation) + ", newer than this host's " +
               std::to_string(cfg_.generation));
      return;
    }
    if (image.global && image.global->generation == cfg_.generation) {
      global_ = *image.global;
      if (global_->pool_state == wire::PoolState::kInvalid) {
        stop(now, Phase::kDisabled, "HA disabled: pool state INVALID in the statefile");
        return;
      }
    }
    // Host slots.
    bool own_ok = false;
    const wire::HostSlot* own = nullptr;
    for (HostIndex h = 0; h < cfg_.host_count && h < image.slots.size(); ++h) {
      const auto& read = image.slots[h];
      if (!read.slot) continue;
      const wire::HostSlot& s = *read.slot;
      if (s.generation != cfg_.generation || s.host != h || s.host_count != cfg_.host_count) {
        continue;
      }
      note_liveset(s.view.current);
      if (h == cfg_.self) {
        own = &s;
        own_ok = s.incarnation == inc_ && last_write_.valid && s.sequence == last_write_.sequence;
        // The copy the reader picked is intact: protect it (before the first
        // write of this incarnation it is the previous incarnation's record).
        if (own_ok || !last_write_.valid) verified_copy_ = wire::slot_copy_for(s.sequence);
        continue;
      }
      PeerState& p = peers_[h];
      if (!p.sf_any || p.sf_inc != s.incarnation || p.sf_seq != s.sequence) {
        if (!p.sf_any || s.incarnation > p.sf_inc ||
            (s.incarnation == p.sf_inc && s.sequence > p.sf_seq)) {
          p.sf_changed = now;
        }
        p.sf_any = true;
        p.sf_inc = s.incarnation;
        p.sf_seq = s.sequence;
      }
      p.sf_view = s.view;
      record_stamp(h, s.incarnation, s.stamp_us, now);
      if (s.acks.size() > cfg_.self && s.acks[cfg_.self].incarnation == inc_) {
        record_ack(h, s.incarnation, s.acks[cfg_.self].stamp_us);
      }
    }
    if (own_ok && timely) last_good_cycle_ = issued;
    if (!own_ok && last_write_.valid) note(now, "own slot did not read back");
    refresh_view(now);

    // Adopting or being excluded by a liveset someone already acts on.
    for (HostIndex h = 0; h < cfg_.host_count && !stopped(); ++h) {
      if (h != cfg_.self && peers_[h].sf_any) {
        observe_remote(now, h, peers_[h].sf_inc, peers_[h].sf_view);
      }
    }
    if (stopped()) return;

    // My commit intent read back intact: act on it.
    if (awaiting_readback_ && own_ok && last_write_.committed && view_.has_proposal &&
        last_write_.proposal.same_as(view_.proposal) && own && own->view.proposal_committed) {
      awaiting_readback_ = false;
      Membership m = view_.proposal;
      note(now, "committed " + describe(m));
      adopt(now, m);
      return;
    }
    if (!timely) return;

    switch (view_.phase) {
      case Phase::kEmergency:
        note(now, "statefile reachable again");
        set_phase(now, Phase::kBooting);
        boot_observe_from_ = now;
        break;
      case Phase::kBooting:
        booting_step(now);
        break;
      case Phase::kJoining:
        joining_step(now, image);
        break;
      case Phase::kMember:
        member_step(now, image);
        break;
      default:
        break;
    }
  }

  // ---- remote views ---------------------------------------------------------

  void observe_remote(TimePoint now, HostIndex h, std::uint32_t inc, const View& v) {
    if (stopped()) return;
    // Only a liveset a host acts on (its current) is authoritative here; one
    // membership is ever committed per epoch, so it is the liveset.
    if (v.phase != Phase::kMember && v.phase != Phase::kFenced && v.phase != Phase::kLeft) return;
    const Membership& m = v.current;
    if (m.epoch == 0) return;
    if (v.phase == Phase::kMember && m.contains(h, inc) && m.contains(cfg_.self, inc_)) {
      peers_[h].bound_to_me_inc = inc;
    }
    if (view_.phase == Phase::kMember) {
      if (m.epoch > view_.current.epoch) {
        if (m.contains(cfg_.self, inc_)) {
          note(now, "adopting " + describe(m) + " from " + host_name(h));
          adopt(now, m);
        } else if (v.phase == Phase::kMember && m.contains(h, inc)) {
          if (view_.has(wire::kFlagLeaving)) {
            stop(now, Phase::kLeft, "left the liveset: " + describe(m));
          } else {
            fence(now, "excluded by " + describe(m) + " (seen from " + host_name(h) + ")");
          }
        }
      } else if (m.epoch == view_.current.epoch && v.phase == Phase::kMember) {
        POOLHA_CHECK(m.same_as(view_.current), "one liveset per epoch");
      }
      maybe_take_master(now);
    } else if (view_.phase == Phase::kJoining) {
      if (v.phase == Phase::kMember && m.contains(cfg_.self, inc_) && m.contains(h, inc)) {
        note(now, "admitted to " + describe(m) + " (seen from " + host_name(h) + ")");
        adopt(now, m);
      }
    }
  }

  // ---- the liveset ----------------------------------------------------------

  void remember_published(const Membership& m, TimePoint at) {
    for (const auto& [p, t] : published_) {
      if (p.same_as(m)) return;
    }
    if (published_.size() >= 16) published_.erase(published_.begin());
    published_.emplace_back(m, at);
  }

  TimePoint first_published(const Membership& m) const {
    for (const auto& [p, t] : published_) {
      if (p.same_as(m)) return t;
    }
    return kLongAgo;
  }

  void adopt(TimePoint now, const Membership& m) {
    const bool was_member = view_.phase == Phase::kMember;
    // A non-member's `current` is only the latest liveset it knows of, which
    // may already be the one it now adopts.
    POOLHA_CHECK(was_member ? m.epoch > view_.current.epoch : m.epoch >= view_.current.epoch,
                 "livesets only move forward");
    POOLHA_CHECK(m.contains(cfg_.self, inc_), "only a liveset that contains this host");
    const Membership old = view_.current;
    if (!was_member && old.master != kNoHost && old.master != cfg_.self) {
      if (view_.has(wire::kFlagReform)) {
        // Re-forming waited out every old member's lease, the old master's too.
        master_before_ = kNoHost;
      } else {
        // This host never tracked the old master's lease: it takes the role
        // over only once the old master visibly let go.
        master_before_ = old.master;
        master_before_inc_ = old.incarnation[old.master];
        master_before_untracked_ = true;
      }
    }
    // Every host of a committed liveset published it before anyone committed
    // it, so the first time this host did bounds when the others admitted it.
    const TimePoint published = first_published(m);
    if (published == kLongAgo) note(now, "adopting a liveset this host never published");
    // Removals are announced only once the removed host's lease has surely expired.
    old.members.for_each([&](HostIndex h) {
      if (!was_member || h == cfg_.self || m.contains(h, old.incarnation[h])) return;
      const PeerState& p = peers_[h];
      TimePoint last = std::max(p.member_heard_at, p.added_at);
      pending_.push_back(PendingRemoval{h, old.incarnation[h], last + t_.lease + t_.margin});
    });
    m.members.for_each([&](HostIndex h) {
      if (h == cfg_.self || (was_member && old.contains(h, m.incarnation[h]))) return;
      PeerState& p = peers_[h];
      // A host seen still joining after the liveset before `m` can only ever
      // act on livesets from `m` on, all of which contain this host. For a
      // host adopting its first liveset (re-forming, or admitted with other
      // joiners) that liveset is the latest it knew, if `m` directly follows
      // it and it does not hold `h`: otherwise a hung joiner that never
      // adopted `m` could never be removed.
      const bool follows =
          was_member || (m.epoch == old.epoch + 1 && !old.contains(h, m.incarnation[h]));
      if (follows && seen_joining_since(h, m.incarnation[h], old.epoch)) {
        p.bound_to_me_inc = m.incarnation[h];
      }
      p.added_at = now;
      p.lease_floor = published;
      if (p.echo_inc != m.incarnation[h]) p.member_heard_at = kLongAgo;
      if (p.echo_inc == m.incarnation[h] && p.echo_stamp != 0) p.member_heard_at = now;
    });
    view_.current = m;
    if (m.epoch > known_latest_.epoch) known_latest_ = m;
    view_.has_proposal = false;
    view_.proposal_committed = false;
    view_.proposal = Membership{};
    published_.clear();
    awaiting_readback_ = false;
    handover_to_ = kNoHost;
    view_.flags &= static_cast<std::uint16_t>(~(wire::kFlagJoinRequest | wire::kFlagReform));
    if (m.master != cfg_.self) set_master(now, false);
    if (!was_member) {
      set_phase(now, Phase::kMember);
      if (!disarmed_by_operator_) {
        armed_ = true;
        last_kick_ = kLongAgo;
      }
    }
    send_now_ = true;
    try_announce(now);
  }

  void try_announce(TimePoint now) {
    if (view_.phase != Phase::kMember) return;
    std::erase_if(pending_, [&](const PendingRemoval& r) {
      const PeerState& p = peers_[r.host];
      // A newer incarnation proves the old one stopped; a clean leave needs no wait.
      if ((p.sf_any && p.sf_inc > r.incarnation) || (p.net_any && p.net_inc > r.incarnation)) {
        return true;
      }
      const View* v = newest_view(r.host, r.incarnation);
      if (v && v->phase == Phase::kLeft) return true;
      // The lease wait only proves the host stopped if its lease needed my
      // acks, i.e. it was seen acting on a liveset that contains this host.
      return now >= r.not_before && p.bound_to_me_inc == r.incarnation;
    });
    if (!pending_.empty() || announced_.same_as(view_.current)) return;
    const Membership before = announced_;
    // Remember who held the role in the liveset announced before this one.
    if (before.master != kNoHost && before.master != cfg_.self) {
      master_before_ = before.master;
      master_before_inc_ = before.incarnation[before.master];
      master_before_untracked_ = false;
    }
    announced_ = view_.current;
    view_.announced_epoch = announced_.epoch;
    ready_.events.push_back(
        Event{Event::Kind::kLivesetChanged, {}, describe(announced_), announced_, false});
    before.members.for_each([&](HostIndex h) {
      if (announced_.contains(h, before.incarnation[h])) return;
      const View* v = newest_view(h, before.incarnation[h]);
      const bool clean = v && v->phase == Phase::kLeft;
      if (announced_.master == cfg_.self && !clean) {
        alert(now, "HA_HOST_FAILED", host_name(h) + " left the liveset and is fenced");
      }
    });
    send_now_ = true;
    maybe_take_master(now);
  }

  // The master role moves only when the old holder has surely let go: it was
  // removed (its lease has expired, checked by try_announce) or it handed over
  // and already acts on the new liveset without the role.
  void maybe_take_master(TimePoint now) {
    if (master_ || view_.phase != Phase::kMember || announced_.master != cfg_.self ||
        !announced_.same_as(view_.current)) {
      return;
    }
    bool free = true;
    if (master_before_ != kNoHost && master_before_ != cfg_.self) {
      const HostIndex old = master_before_;
      const View* v = newest_view(old, master_before_inc_);
      if (announced_.contains(old, master_before_inc_)) {
        free = v && v->current.epoch >= announced_.epoch && !v->has(wire::kFlagMaster);
      } else if (master_before_untracked_) {
        // It left cleanly, or runs a newer incarnation (the old one stopped).
        const PeerState& p = peers_[old];
        const bool newer = (p.sf_any && p.sf_inc > master_before_inc_) ||
                           (p.net_any && p.net_inc > master_before_inc_);
        free = newer || (v && v->phase == Phase::kLeft);
      }
    }
    if (free) {
      set_master(now, true);
      master_before_ = cfg_.self;
      master_before_inc_ = inc_;
    }
  }

  // ---- per-phase decisions -------------------------------------------------

  // Every host decides from the statefile as read, its own row included, so
  // hosts reading the same statefile decide the same.
  std::vector<HostRow> rows_from(TimePoint now, const wire::StatefileImage& image) const {
    std::vector<HostRow> rows(cfg_.host_count);
    for (HostIndex h = 0; h < cfg_.host_count; ++h) {
      if (h == cfg_.self) {
        rows[h].fresh = true;
        rows[h].incarnation = inc_;
        const auto& own = h < image.slots.size() ? image.slots[h].slot : std::nullopt;
        rows[h].view = own && own->incarnation == inc_ ? own->view : view_;
        continue;
      }
      const PeerState& p = peers_[h];
      rows[h].fresh = fresh_on_storage(h, now);
      rows[h].incarnation = p.sf_inc;
      rows[h].view = p.sf_view;
    }
    return rows;
  }

  // Proposal, agreement and commit: shared by members, joiners re-forming a
  // liveset, and HA enable.
  void run_decision(TimePoint now, const wire::StatefileImage& image, DecideMode mode,
                    const Membership& base, bool require_all) {
    std::vector<HostRow> rows = rows_from(now, image);
    DecideInput in;
    in.mode = mode;
    in.host_count = cfg_.host_count;
    in.current = &base;
    in.rows = rows;
    in.weights = cfg_.weights;
    in.require_all = require_all;
    Decision d = decide_liveset(in);

    if (mode == DecideMode::kRunning) {
      const bool lost = d.network_lost;
      if (lost != view_.has(wire::kFlagNetworkLost)) {
        if (lost) {
          view_.flags |= wire::kFlagNetworkLost;
          alert(now, "HA_NETWORK_LOST",
                "no host hears another on the management network; the pool stays up on the "
                "statefile and any VM networking is down");
        } else {
          view_.flags &= static_cast<std::uint16_t>(~wire::kFlagNetworkLost);
          note(now, "management network back");
        }
      }
    }
    if (d.kind == Decision::Kind::kNoChange && master_ && handover_to_ != kNoHost) {
      Membership h = view_.current;
      h.epoch += 1;
      h.master = handover_to_;
      d.kind = Decision::Kind::kPropose;
      d.proposal = h;
      d.why = "hand-over to " + host_name(handover_to_);
    }
    if (d.kind == Decision::Kind::kPropose) {
      if (!view_.has_proposal || !view_.proposal.same_as(d.proposal)) {
        if (view_.proposal_committed) return;  // never retract a commit intent in flight
        view_.has_proposal = true;
        view_.proposal_committed = false;
        view_.proposal = d.proposal;
        awaiting_readback_ = false;
        note(now, "proposes " + describe(d.proposal) + ": " + d.why);
        send_now_ = true;
        next_cycle_ = now;  // publish it at once
        return;
      }
    } else if (d.kind == Decision::Kind::kNoChange && view_.has_proposal &&
               !view_.proposal_committed) {
      view_.has_proposal = false;
      view_.proposal = Membership{};
      note(now, "proposal withdrawn: nothing to change");
      return;
    }
    if (view_.has_proposal && !view_.proposal_committed) check_agreement(now, image);
  }

  // The agreement check (docs/protocol.md, "Commit"): my last write published
  // the proposal and this read started after it completed. Every winner is
  // fresh in the incarnation the proposal records and publishes it; so does
  // every other fresh member with statefile access; no fresh host publishes a
  // different proposal that it could commit itself (one that contains it); and
  // nobody shows a different commit intent or a liveset of this epoch or later.
  void check_agreement(TimePoint now, const wire::StatefileImage& image) {
    const Membership& prop = view_.proposal;
    if (!prop.contains(cfg_.self, inc_)) return;  // only winners commit
    if (!last_write_.valid || !last_write_.had_proposal || last_write_.committed ||
        !last_write_.proposal.same_as(prop)) {
      return;
    }
    for (HostIndex h = 0; h < cfg_.host_count; ++h) {
      if (h == cfg_.self) continue;
      const wire::HostSlot* slot =
          h < image.slots.size() && image.slots[h].slot ? &*image.slots[h].slot : nullptr;
      if (slot && slot->generation != cfg_.generation) slot = nullptr;
      const bool fresh = fresh_on_storage(h, now);
      if (slot) {
        const View& v = slot->view;
        if (v.current.epoch >= prop.epoch) return;
        if (v.has_proposal && v.proposal.epoch >= prop.epoch && !v.proposal.same_as(prop)) {
          if (v.proposal_committed) return;
          if (fresh && v.proposal.contains(h, slot->incarnation)) return;
        }
      }
      if (prop.members.contains(h)) {
        const bool agrees =
            slot && fresh && slot->incarnation == prop.incarnation[h] && v_has(slot->view, prop);
        if (!agrees) return;
      } else if (slot && fresh && view_.current.contains(h, slot->incarnation) &&
                 slot->view.phase == Phase::kMember && slot->view.has(wire::kFlagStorageAccess) &&
                 !v_has(slot->view, prop)) {
        // A member that still works with the statefile must agree to its own
        // removal: one host's skewed view never fences healthy peers.
        return;
      }
    }
    agreed_write_completed_ = last_write_.completed;
    view_.proposal_committed = true;
    note(now, "agreement on " + describe(prop) + "; writing commit");
    next_cycle_ = now;
  }

  static bool v_has(const View& v, const Membership& prop) {
    return v.has_proposal && v.proposal.same_as(prop);
  }

  void member_step(TimePoint now, const wire::StatefileImage& image) {
    if (!storage_ok(now)) return;
    run_decision(now, image, DecideMode::kRunning, view_.current, false);
  }

  // Booting: learn from the statefile how to start (docs/protocol.md, "Start").
  void booting_step(TimePoint now) {
    // The slots outlive a torn global section: a liveset recorded there for
    // this generation means HA is on (the next master rewrites the section).
    if (!global_ && latest_membership().epoch > 0) {
      if (now - boot_observe_from_ < t_.peer_timeout) return;
      enter_joining(now, false, "global section unreadable, the slots record a liveset: joining");
      return;
    }
    if (!global_ || global_->pool_state == wire::PoolState::kNone) {
      if (!said_waiting_enable_) note(now, "waiting for HA to be enabled in the statefile");
      said_waiting_enable_ = true;
      return;
    }
    // INIT with a liveset already recorded means HA enable already formed it
    // and the master has not marked the pool ACTIVE yet: join like ACTIVE.
    if (global_->pool_state == wire::PoolState::kInit && latest_membership().epoch == 0) {
      enter_joining(now, true, "HA enable: forming the first liveset with every host");
      return;
    }
    // ACTIVE: observe for a peer timeout so freshness means something.
    if (now - boot_observe_from_ < t_.peer_timeout) return;
    enter_joining(now, false, "pool active: joining");
  }

  void enter_joining(TimePoint now, bool init, const std::string& why) {
    init_ = init;
    set_phase(now, Phase::kJoining);
    note(now, why);
  }

  // The latest liveset recorded in the statefile. A host outside any liveset
  // publishes it as its `current` (acting on nothing), so the record survives
  // every host of that liveset rebooting and overwriting its own slot.
  void note_liveset(const Membership& m) {
    if (m.epoch <= known_latest_.epoch) return;
    known_latest_ = m;
    if (view_.phase != Phase::kMember) view_.current = m;
  }
  const Membership& latest_membership() const { return known_latest_; }

  // A host of `m` that is alive in the incarnation recorded there.
  bool any_member_alive(const Membership& m, TimePoint now) const {
    bool alive = false;
    m.members.for_each([&](HostIndex h) {
      if (h == cfg_.self) return;
      const PeerState& p = peers_[h];
      if (fresh_on_storage(h, now) && p.sf_inc == m.incarnation[h]) alive = true;
      if (heard_on_network(h, now) && p.net_inc == m.incarnation[h]) alive = true;
    });
    return alive;
  }

  void joining_step(TimePoint now, const wire::StatefileImage& image) {
    // The others formed the first liveset and went on without this host (it
    // stalled after publishing its HA-enable proposal): it joins like any
    // later host, or it would wait forever to form the first one with all.
    if (init_ && latest_membership().epoch > 0 &&
        !latest_membership().members.contains(cfg_.self)) {
      init_ = false;
      view_.flags &= static_cast<std::uint16_t>(~wire::kFlagReform);
      withdraw_proposal(now);
      note(now, "HA enabled without this host, " + describe(latest_membership()) + ": joining");
    }
    if (init_) {
      view_.flags |= wire::kFlagReform;
      Membership base;
      base.master = global_ ? global_->master : kNoHost;
      run_decision(now, image, DecideMode::kReform, base, true);
      return;
    }
    const Membership& latest = latest_membership();
    if (latest.epoch == 0) {
      if (!said_no_liveset_) note(now, "no liveset recorded in the statefile yet");
      said_no_liveset_ = true;
      return;
    }
    if (any_member_alive(latest, now)) {
      view_.flags &= static_cast<std::uint16_t>(~wire::kFlagReform);
      request_join(now, latest, image);
      return;
    }
    // Nobody of the latest liveset runs. Only a host of that liveset may
    // re-form it: every old member's lease needed this host's acks, so one
    // lease after this host's boot all of them have stopped.
    if (!latest.members.contains(cfg_.self)) {
      view_.flags &= static_cast<std::uint16_t>(~wire::kFlagJoinRequest);
      withdraw_proposal(now);
      if (!said_wait_members_) note(now, "waiting for a host of " + describe(latest));
      said_wait_members_ = true;
      return;
    }
    bool all_back = true;
    latest.members.for_each([&](HostIndex h) {
      if (h == cfg_.self) return;
      const PeerState& p = peers_[h];
      if (!(fresh_on_storage(h, now) && p.sf_inc > latest.incarnation[h])) all_back = false;
    });
    const Duration wait = std::max(t_.boot_wait, t_.lease + t_.margin);
    if (!all_back && now - boot_time_ < wait) return;
    if (!view_.has(wire::kFlagReform)) {
      view_.flags |= wire::kFlagReform;
      note(now, "re-forming the liveset after " + describe(latest) + " stopped");
    }
    run_decision(now, image, DecideMode::kReform, latest, false);
  }

  // Join an existing liveset (docs/protocol.md, "Join"): only once every member
  // has announced a liveset without this host, and after a probation of steady
  // contact on both channels.
  void request_join(TimePoint now, const Membership& latest, const wire::StatefileImage& image) {
    bool ready = !latest.members.contains(cfg_.self);
    bool connected = true;
    latest.members.for_each([&](HostIndex h) {
      if (h == cfg_.self) return;
      const PeerState& p = peers_[h];
      if (p.sf_inc != latest.incarnation[h] && p.net_inc != latest.incarnation[h]) return;
      const View* v = newest_view(h, latest.incarnation[h]);
      if (!v || v->announced_epoch < v->current.epoch || v->current.members.contains(cfg_.self)) {
        ready = false;
      }
      const bool both = fresh_on_storage(h, now) && heard_on_network(h, now) &&
                        p.net_view.hb_domain.contains(cfg_.self);
      if (!both) connected = false;
    });
    if (!connected) {
      connected_since_ = kNever;
    } else if (connected_since_ == kNever) {
      connected_since_ = now;
    }
    const bool probation_done =
        connected_since_ != kNever && now - connected_since_ >= t_.join_probation;
    const bool want = ready && probation_done && storage_ok(now);
    if (want != view_.has(wire::kFlagJoinRequest)) {
      if (want) {
        view_.flags |= wire::kFlagJoinRequest;
        note(now, "asking to join " + describe(latest));
      } else {
        view_.flags &= static_cast<std::uint16_t>(~wire::kFlagJoinRequest);
      }
      send_now_ = true;
    }
    if (!want) {
      withdraw_proposal(now);
      return;
    }
    // Publish the members' proposal that admits this host, so they can commit.
    for (HostIndex h = 0; h < cfg_.host_count; ++h) {
      if (h == cfg_.self || !fresh_on_storage(h, now)) continue;
      const View& v = peers_[h].sf_view;
      if (!latest.contains(h, peers_[h].sf_inc) || !v.has_proposal) continue;
      if (v.proposal.epoch != latest.epoch + 1 || !v.proposal.contains(cfg_.self, inc_)) continue;
      if (!view_.has_proposal || !view_.proposal.same_as(v.proposal)) {
        if (view_.proposal_committed) return;  // never retract a commit intent in flight
        view_.has_proposal = true;
        view_.proposal = v.proposal;
        note(now, "agrees to " + describe(v.proposal));
        next_cycle_ = now;
        return;
      }
      // A joiner may commit too: the protocol does not care which winner does.
      if (!view_.proposal_committed) check_agreement(now, image);
      return;
    }
    withdraw_proposal(now);  // no member proposes to admit this host any more
  }

  // A stale proposal that contains this host would block other commits.
  void withdraw_proposal(TimePoint now) {
    if (!view_.has_proposal || view_.proposal_committed) return;
    view_.has_proposal = false;
    view_.proposal = Membership{};
    note(now, "proposal withdrawn");
  }

  // ---- the step after every input -------------------------------------------

  void after_input(TimePoint now) {
    if (stopped()) return;
    refresh_view(now);
    maybe_statefile_lost(now);
    if (view_.phase == Phase::kMember) {
      try_announce(now);
      maybe_take_master(now);
      enforce_lease(now);
      if (stopped()) return;
    }
    if ((view_.phase == Phase::kBooting) && !storage_ok(now) && now - boot_time_ >= t_.boot_wait &&
        last_good_cycle_ == kLongAgo) {
      set_phase(now, Phase::kEmergency);
      alert(now, "HA_HOST_CANNOT_ACCESS_STATEFILE",
            "cannot reach the statefile at start; waiting in emergency mode, fencing not armed");
    }
    if (!op_ && now >= next_cycle_) start_cycle(now);
    if (send_now_ || now >= next_hb_) send_heartbeats(now);
  }

  void enforce_lease(TimePoint now) {
    if (!armed_) return;
    auto lease = lease_expiry();
    if (lease && now >= *lease) {
      HostIndex culprit = kNoHost;
      view_.current.members.for_each([&](HostIndex h) {
        if (h == cfg_.self) return;
        const PeerState& p = peers_[h];
        TimePoint base = p.lease_floor;
        if (p.ack_any) base = std::max(base, time_of_stamp(p.ack_stamp));
        if (base == kLongAgo || base + t_.lease <= now) culprit = h;
      });
      fence(now, "lease expired: no ack from " + host_name(culprit) + " for " +
                     std::to_string(to_seconds(t_.lease)) + "s");
      return;
    }
    // Kick only while the lease covers the whole watchdog period, so a hang
    // right after this kick still stops the host before its lease ends.
    const bool kick_due =
        last_kick_ == kLongAgo || now - last_kick_ >= t_.watchdog / 4 ||
        (lease && now >= *lease - t_.watchdog && last_kick_ < *lease - t_.watchdog);
    if ((!lease || now + t_.watchdog <= *lease) && kick_due) {
      ready_.watchdog = WatchdogAction::kKick;
      last_kick_ = now;
    }
  }

  void maybe_statefile_lost(TimePoint now) {
    if (view_.phase != Phase::kMember) return;
    bool lost = !storage_ok(now);
    if (lost) {
      view_.current.members.for_each([&](HostIndex h) {
        if (h == cfg_.self) return;
        const PeerState& p = peers_[h];
        if (!heard_on_network(h, now) || p.net_view.has(wire::kFlagStorageAccess)) lost = false;
      });
    }
    if (lost != view_.has(wire::kFlagStatefileLost)) {
      if (lost) {
        view_.flags |= wire::kFlagStatefileLost;
        alert(now, "HA_STATEFILE_LOST",
              "every live host lost the statefile; the pool stays up on the network alone and "
              "cannot change its liveset until the statefile is back");
      } else {
        view_.flags &= static_cast<std::uint16_t>(~wire::kFlagStatefileLost);
        note(now, "statefile access back");
      }
    }
  }

 private:
  EngineConfig cfg_;
  Timing t_;
  std::uint32_t inc_;
  wire::StatefileLayout layout_;
  std::vector<PeerState> peers_;
  TimePoint boot_time_;
  TimePoint now_ = kLongAgo;

  View view_;
  Membership announced_;
  Membership known_latest_;
  bool armed_ = false;
  bool disarmed_by_operator_ = false;
  bool master_ = false;
  HostIndex master_before_ = kNoHost;
  std::uint32_t master_before_inc_ = 0;
  bool master_before_untracked_ = false;
  HostIndex handover_to_ = kNoHost;
  TimePoint last_kick_ = kLongAgo;
  TimePoint isolation_changed_at_ = kLongAgo;
  std::vector<PendingRemoval> pending_;

  std::uint64_t send_seq_ = 0;
  TimePoint next_hb_;
  bool send_now_ = false;

  std::optional<Op> op_;
  bool op_stalled_ = false;
  std::uint64_t next_op_id_ = 1;
  std::uint32_t slot_counter_ = 0;
  int verified_copy_ = -1;  // slot copy last read back intact
  TimePoint next_cycle_;
  TimePoint last_good_cycle_ = kLongAgo;
  WriteRecord last_write_;
  std::optional<wire::GlobalSection> global_;
  std::optional<wire::GlobalSection> pending_global_;
  std::optional<wire::GlobalSection> written_global_;

  // Proposals this host wrote since its last adoption, with the start of the
  // first write that carried each (lease floors for newly admitted members).
  std::vector<std::pair<Membership, TimePoint>> published_;
  TimePoint agreed_write_completed_ = kLongAgo;
  bool awaiting_readback_ = false;

  bool init_ = false;
  bool read_once_ = false;
  TimePoint boot_observe_from_ = kLongAgo;
  TimePoint connected_since_ = kNever;
  bool said_waiting_enable_ = false;
  bool said_no_liveset_ = false;
  bool said_wait_members_ = false;

  Ready ready_;
};

Engine::Engine(EngineConfig config, std::uint32_t incarnation, TimePoint now)
    : impl_(std::make_unique<Impl>(std::move(config), incarnation, now)) {}
Engine::~Engine() = default;
void Engine::tick(TimePoint now) {
  impl_->tick(now);
}
void Engine::receive_packet(TimePoint now, std::span<const std::uint8_t> bytes) {
  impl_->receive_packet(now, bytes);
}
void Engine::storage_done(TimePoint now, std::uint64_t id, bool ok,
                          const wire::StatefileImage* image) {
  impl_->storage_done(now, id, ok, image);
}
void Engine::command(TimePoint now, const Command& cmd) {
  impl_->command(now, cmd);
}
void Engine::set_isolation_reachable(TimePoint now, bool reachable) {
  impl_->set_isolation_reachable(now, reachable);
}
Ready Engine::take_ready() {
  return impl_->take_ready();
}
TimePoint Engine::next_wakeup() const {
  return impl_->next_wakeup();
}
wire::Phase Engine::phase() const {
  return impl_->phase();
}
bool Engine::is_master() const {
  return impl_->is_master();
}
bool Engine::armed() const {
  return impl_->armed();
}
const wire::Membership& Engine::announced() const {
  return impl_->announced();
}
const wire::Membership& Engine::current() const {
  return impl_->current();
}
std::optional<TimePoint> Engine::lease_expiry() const {
  return impl_->lease_expiry();
}
const wire::View& Engine::view() const {
  return impl_->view();
}
HostIndex Engine::self() const {
  return impl_->self();
}
std::uint32_t Engine::incarnation() const {
  return impl_->incarnation();
}

}  // namespace poolha::ha

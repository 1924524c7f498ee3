// A host that hangs right after publishing its HA-enable proposal never acts
// on the first liveset, which the others commit without having been members
// of anything before (a whole-pool restart re-forms the same way). They saw
// it still joining, so it can only ever act on livesets that contain them:
// its removal must be announced after a lease wait, or the survivors never
// announce another liveset and no host can join again. Once it resumes it
// must join that pool like any later host instead of waiting forever to form
// a first liveset with every host.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "ha/engine.h"
#include "wire/statefile.h"

namespace poolha::ha {
namespace {

constexpr std::uint16_t kHosts = 3;
constexpr HostIndex kHung = 2;

EngineConfig config_for(HostIndex self) {
  EngineConfig c;
  c.host_count = kHosts;
  c.self = self;
  c.generation = 1;
  c.secret = std::vector<std::uint8_t>(32, 7);
  c.weights.assign(kHosts, 1);
  for (std::uint8_t h = 0; h < kHosts; ++h) {
    wire::Uuid u{};
    u[0] = static_cast<std::uint8_t>(0x10 + h);
    c.host_uuids.push_back(u);
  }
  c.timing = std::get<Timing>(make_timing(std::chrono::seconds(10)));
  return c;
}

// Three engines on an instant network and an instant, shared statefile.
// Host kHung hangs (gets no input at all) once its slot write carrying the
// three-host proposal of `hang_epoch` has landed, with that write's completion
// held until resume().
class HangingJoinerPool {
 public:
  explicit HangingJoinerPool(std::uint64_t hang_epoch)
      : hang_epoch_(hang_epoch), statefile_(wire::layout_for(kHosts).total_size(), 0) {
    for (HostIndex h = 0; h < kHosts; ++h) {
      engines_.push_back(std::make_unique<Engine>(config_for(h), 1, now_));
      engines_.back()->set_isolation_reachable(now_, true);
    }
  }

  Engine& host(HostIndex h) { return *engines_[h]; }
  bool hung() const { return hung_; }

  void command(HostIndex h, Command::Kind kind) {
    engines_[h]->command(now_, Command{kind, kNoHost});
    pump(h);
  }

  void run_for(Duration d) {
    const TimePoint end = now_ + d;
    while (now_ < end) {
      now_ += std::chrono::milliseconds(10);
      for (HostIndex h = 0; h < kHosts; ++h) {
        if (h == kHung && hung_) continue;
        engines_[h]->tick(now_);
        pump(h);
      }
      deliver();
    }
  }

  void resume() {
    hung_ = false;
    Engine& e = *engines_[kHung];
    e.tick(now_);
    if (held_) e.storage_done(now_, *held_, true, nullptr);
    held_.reset();
    pump(kHung);
  }

 private:
  struct Packet {
    HostIndex to;
    std::vector<std::uint8_t> bytes;
  };

  void pump(HostIndex h) {
    Engine& e = *engines_[h];
    for (;;) {
      Ready r = e.take_ready();
      for (OutgoingPacket& p : r.packets) net_.push_back(Packet{p.to, std::move(p.bytes)});
      if (r.storage.empty()) return;
      for (const StorageOp& op : r.storage) {
        if (h == kHung && hung_) return;
        if (op.kind == StorageOp::Kind::kWrite) {
          std::copy(op.bytes.begin(), op.bytes.end(),
                    statefile_.begin() + static_cast<std::ptrdiff_t>(op.offset));
          if (h == kHung && carries_hang_proposal(op)) {
            hung_ = true;
            held_ = op.id;
            return;
          }
          e.storage_done(now_, op.id, true, nullptr);
        } else {
          const wire::StatefileImage image = wire::decode_statefile(statefile_, kHosts);
          e.storage_done(now_, op.id, true, &image);
        }
      }
    }
  }

  bool carries_hang_proposal(const StorageOp& op) const {
    if (op.offset < wire::layout_for(kHosts).slot_offset(0, 0)) return false;
    auto slot = wire::decode_slot(op.bytes);
    if (!slot) return false;
    const wire::View& v = slot.value().view;
    return v.phase == wire::Phase::kJoining && v.has_proposal && v.proposal.epoch == hang_epoch_ &&
           v.proposal.members.size() == kHosts;
  }

  void deliver() {
    std::deque<Packet> batch;
    batch.swap(net_);
    for (const Packet& p : batch) {
      if (p.to == kHung && hung_) continue;
      engines_[p.to]->receive_packet(now_, p.bytes);
      pump(p.to);
    }
  }

  std::uint64_t hang_epoch_;
  TimePoint now_ = from_us(1'000'000);
  std::vector<std::uint8_t> statefile_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::deque<Packet> net_;
  bool hung_ = false;
  std::optional<std::uint64_t> held_;
};

bool announces(Engine& e, std::uint64_t epoch, HostSet members) {
  return e.phase() == wire::Phase::kMember && e.announced().epoch == epoch &&
         e.announced().members == members;
}

TEST(EngineHungJoiner, ItsRemovalIsAnnouncedAfterALeaseAndItJoinsAgain) {
  HangingJoinerPool pool(1);
  pool.command(0, Command::Kind::kEnable);
  pool.run_for(std::chrono::seconds(3));
  ASSERT_TRUE(pool.hung()) << "h2 never published the three-host proposal";
  // h0 and h1 act on epoch 1 {0,1,2}; h2 never does.
  for (HostIndex h : {HostIndex{0}, HostIndex{1}}) {
    ASSERT_TRUE(announces(pool.host(h), 1, HostSet{0, 1, 2}));
  }
  ASSERT_EQ(pool.host(kHung).phase(), wire::Phase::kJoining);

  // Removal after peer_timeout, announced one lease (plus margin) later.
  pool.run_for(std::chrono::seconds(20));
  for (HostIndex h : {HostIndex{0}, HostIndex{1}}) {
    EXPECT_TRUE(announces(pool.host(h), 2, HostSet{0, 1}))
        << "h" << h << " announces epoch " << pool.host(h).announced().epoch;
    EXPECT_EQ(pool.host(h).phase(), wire::Phase::kMember);
  }
  EXPECT_TRUE(pool.host(0).is_master());

  // Once it resumes, the same incarnation is admitted again.
  pool.resume();
  pool.run_for(std::chrono::seconds(20));
  for (HostIndex h = 0; h < kHosts; ++h) {
    EXPECT_TRUE(announces(pool.host(h), 3, HostSet{0, 1, 2}))
        << "h" << h << " announces epoch " << pool.host(h).announced().epoch;
  }
  EXPECT_TRUE(pool.host(0).is_master());
}

}  // namespace
}  // namespace poolha::ha

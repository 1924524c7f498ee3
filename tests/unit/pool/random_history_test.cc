// A long random history with a fixed seed: valid and invalid changes, failed
// writes, crashes at random points of random writes (torn or garbage), a
// damaged copy of an acknowledged record, master handovers and new masters
// whose take-over is itself interrupted. At every recovery the database must
// be a state that was acknowledged or was outstanding at the crash, never
// older than the last acknowledgement, and equal to the reference model.
#include <gtest/gtest.h>

#include <map>
#include <variant>

#include "pool/local_copy.h"
#include "pool/log_record.h"
#include "pool_test_support.h"

namespace poolha::pool {
namespace {

using test_support::kGiB;
using test_support::SimulatedArea;
using test_support::TestRandom;
using test_support::TornMode;

constexpr LogGeometry kHistoryLog{32 * 1024, 512};

Change random_change(TestRandom& random) {
  auto host = [&] { return "host-" + std::to_string(random.below(6)); };
  auto vm_uuid = [&] { return "vm-" + std::to_string(random.below(15)); };
  const auto kind = random.below(100);
  if (kind < 40) {
    Vm vm;
    vm.uuid = vm_uuid();
    vm.name_label = "guest " + std::to_string(random.below(1000));
    const PowerState states[] = {PowerState::kHalted, PowerState::kRunning, PowerState::kPaused,
                                 PowerState::kSuspended};
    vm.power_state = states[random.below(4)];
    const bool resident =
        vm.power_state == PowerState::kRunning || vm.power_state == PowerState::kPaused;
    if (resident != random.chance(3)) vm.resident_on = random.chance(5) ? "host-9" : host();
    vm.memory_static_max = static_cast<std::int64_t>(random.below(8) + 1) * kGiB / 2;
    if (random.chance(3)) vm.memory_static_max = -vm.memory_static_max;
    const RestartPriority priorities[] = {RestartPriority::kUnprotected,
                                          RestartPriority::kBestEffort, RestartPriority::kRestart};
    vm.ha_restart_priority = priorities[random.below(3)];
    vm.ha_always_run = random.chance(50);
    vm.order = static_cast<std::int64_t>(random.below(6)) - 2;
    vm.start_delay = static_cast<std::int64_t>(random.below(60));
    vm.agile = random.chance(80);
    return UpsertVm{vm};
  }
  if (kind < 52) return RemoveVm{vm_uuid()};
  if (kind < 64) {
    Host h = test_support::make_host(host(), static_cast<std::int64_t>(random.below(128) + 1),
                                     static_cast<std::int64_t>(random.below(8)));
    h.enabled = random.chance(80);
    h.live = random.chance(90);
    h.ha_weight = static_cast<std::uint32_t>(random.below(4));
    return UpsertHost{h};
  }
  if (kind < 69) return RemoveHost{host()};
  if (kind < 74) {
    Sr sr = test_support::make_sr("sr-" + std::to_string(random.below(3)), random.chance(60));
    if (random.chance(5)) sr.shared = false;  // invalid when a heartbeat SR
    return UpsertSr{sr};
  }
  if (kind < 77) return RemoveSr{"sr-" + std::to_string(random.below(3))};
  SetPoolFields f;
  if (random.chance(30)) f.ha_enabled = random.chance(50);
  if (random.chance(30)) {
    f.ha_statefiles =
        random.chance(80) ? std::vector<std::string>{"sr-0"} : std::vector<std::string>{};
  }
  if (random.chance(20)) f.ha_timeout = static_cast<std::int64_t>(random.below(300));
  if (random.chance(20)) {
    f.ha_configuration = std::map<std::string, std::string>{};
    if (random.chance(50)) {
      (*f.ha_configuration)["timeout"] = std::to_string(random.below(200) + 1);
    }
  }
  if (random.chance(30)) {
    f.ha_host_failures_to_tolerate = static_cast<std::int64_t>(random.below(4));
  }
  if (random.chance(20)) f.ha_plan_exists_for = static_cast<std::int64_t>(random.below(3));
  if (random.chance(20)) f.ha_overcommitted = random.chance(50);
  if (random.chance(10)) f.ha_allow_overcommit = random.chance(50);
  if (random.chance(10)) f.ha_reboot_vm_on_internal_shutdown = random.chance(50);
  if (random.chance(5)) f.name_label = "pool " + std::to_string(random.below(100));
  return f;
}

Database initial_database() {
  Database db("pool-r", "random pool");
  for (int h = 0; h < 3; ++h) {
    test_support::apply_ok(db, UpsertHost{test_support::make_host("host-" + std::to_string(h))});
  }
  test_support::apply_ok(db, UpsertSr{test_support::make_sr("sr-0", true)});
  return db;
}

class RandomHistory {
 public:
  explicit RandomHistory(std::uint64_t seed) : random_(seed), reference_(initial_database()) {}

  void run(int steps) {
    become_master(Snapshot{reference_, 0}, {}, /*may_crash=*/false);
    for (int step = 0; step < steps; ++step) {
      step_ = step;
      const auto action = random_.below(100);
      if (!writer_->is_master()) {
        restart();  // the role was handed over: the new master takes over
      } else if (action < 75) {
        append_and_acknowledge();
      } else if (action < 82) {
        fail_a_write();
      } else if (action < 94) {
        crash_during_a_write();
      } else if (action < 97) {
        damage_a_copy();
        restart();
      } else if (action < 99) {
        save_local_copy();
      } else {
        hand_over();
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
    restart();
    EXPECT_GT(stats_.acknowledged, steps / 2);
    EXPECT_GT(stats_.rejected, 100);
    EXPECT_GT(stats_.crashes, 100);
    EXPECT_GT(stats_.snapshots, 50);
    EXPECT_GT(stats_.repairs, 5);
  }

 private:
  struct Stats {
    int acknowledged = 0, rejected = 0, crashes = 0, snapshots = 0, repairs = 0;
  };

  std::string where() const { return "step " + std::to_string(step_); }

  // The state `pending` will hold once persisted: remembered in case a crash
  // leaves it on disk.
  void remember(Generation generation, const Database& state) {
    known_.insert_or_assign(generation, state);
  }

  Result<PendingWrite> propose(const Change& change, Database& after) {
    Result<PendingWrite> pending = writer_->append(change);
    const Status model = reference_.check(change);
    if (!pending.ok()) {
      // The log refuses exactly what the reference model refuses.
      EXPECT_FALSE(model.ok()) << where() << ": " << pending.error().message();
      if (!model.ok()) {
        EXPECT_EQ(model.error().code, pending.error().code) << where();
      }
      ++stats_.rejected;
      return pending;
    }
    EXPECT_TRUE(model.ok()) << where();
    after = reference_;
    EXPECT_TRUE(after.apply(change).ok());
    remember(pending.value().generation, after);
    return pending;
  }

  void track(const PendingWrite& pending) {
    if (pending.kind == RecordKind::kSnapshot) {
      ++stats_.snapshots;
      chain_.clear();
    }
    const AreaWrite& w = pending.writes[0];
    const auto view = std::get<RecordView>(read_record(w.bytes, kHistoryLog.block_size));
    chain_.push_back({w.offset % kHistoryLog.half_size(), kRecordHeaderSize + view.payload.size()});
  }

  void acknowledged(const PendingWrite& pending, Database after) {
    writer_->acknowledge(pending.generation);
    track(pending);
    reference_ = std::move(after);
    acked_ = pending.generation;
    ++stats_.acknowledged;
    ASSERT_EQ(writer_->database(), reference_) << where();
  }

  void append_and_acknowledge() {
    Database after = reference_;
    Result<PendingWrite> pending = propose(random_change(random_), after);
    if (!pending.ok()) return;
    area_.perform_all(pending.value());
    acknowledged(pending.value(), std::move(after));
  }

  // Interrupts `pending` at a random point of a random write.
  // Returns whether one copy fully landed.
  bool tear(const PendingWrite& pending, std::size_t& writes_completed) {
    writes_completed = random_.below(pending.writes.size());
    for (std::size_t i = 0; i < writes_completed; ++i) area_.perform(pending.writes[i]);
    const AreaWrite& w = pending.writes[writes_completed];
    const TornMode modes[] = {TornMode::kPrefix, TornMode::kGarbageTail, TornMode::kMixedBlocks};
    area_.perform_torn(w, random_.below(w.bytes.size() + 1), modes[random_.below(3)], random_);
    return writes_completed > 0;
  }

  void fail_a_write() {
    Database after = reference_;
    Result<PendingWrite> pending = propose(random_change(random_), after);
    if (!pending.ok()) return;
    std::size_t completed = 0;
    tear(pending.value(), completed);
    writer_->abandon(completed);
    // The database is unchanged and the writer carries on.
    ASSERT_EQ(writer_->database(), reference_) << where();
    chain_.clear();  // the next record starts a new chain
  }

  void crash_during_a_write() {
    Database after = reference_;
    Result<PendingWrite> pending = propose(random_change(random_), after);
    if (!pending.ok()) return;
    std::size_t completed = 0;
    const bool landed = tear(pending.value(), completed);
    ++stats_.crashes;
    // A damaged copy on top of an interrupted delta is survivable; on top of
    // an interrupted snapshot it would be a second fault in the only copy.
    if (pending.value().kind == RecordKind::kDelta && random_.chance(20)) damage_a_copy();
    const Generation recovered = restart();
    if (landed) {
      EXPECT_EQ(recovered, pending.value().generation) << where();
    }
  }

  // Flips one bit in one copy of one acknowledged record of the current chain.
  void damage_a_copy() {
    if (chain_.empty()) return;
    const auto& [offset, covered] = chain_[random_.below(chain_.size())];
    const int half = static_cast<int>(random_.below(2));
    const std::size_t bit = random_.below(covered * 8);
    area_.bytes()[kHistoryLog.half_start(half) + offset + bit / 8] ^=
        static_cast<std::uint8_t>(1u << (bit % 8));
  }

  void save_local_copy() { local_copy_ = encode_local_copy(Snapshot{reference_, acked_}); }

  void hand_over() {
    SetPoolFields handover;
    const auto& hosts = reference_.hosts();
    auto it = hosts.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(random_.below(hosts.size())));
    handover.master = it->first;
    Database after = reference_;
    Result<PendingWrite> pending = propose(handover, after);
    ASSERT_TRUE(pending.ok()) << where();
    area_.perform_all(pending.value());
    acknowledged(pending.value(), std::move(after));
  }

  // A new master: recovers, checks against the model, and takes over (the
  // take-over itself sometimes interrupted, which means recovering again).
  Generation restart() {
    Generation first_recovered = 0;
    for (int attempt = 0;; ++attempt) {
      const RecoveredLog r = area_.recover();
      if (!r.newest.has_value()) {
        ADD_FAILURE() << where() << ": nothing recovered";
        return 0;
      }
      const Generation g = r.newest->generation;
      for (const RecoveryIssue& issue : r.issues) {
        stats_.repairs += issue.kind == RecoveryIssue::Kind::kRepairedCopy;
      }
      EXPECT_GE(g, acked_) << where() << ": an acknowledged write was lost";
      const auto known = known_.find(g);
      if (known == known_.end()) {
        ADD_FAILURE() << where() << ": recovered generation " << g << " was never written";
        return g;
      }
      EXPECT_EQ(r.newest->database, known->second) << where() << " generation " << g;
      if (attempt == 0) first_recovered = g;
      // Whatever was recovered is now the truth, acknowledged or not.
      reference_ = r.newest->database;
      acked_ = g;

      Snapshot start = *r.newest;
      if (local_copy_) {
        Result<Snapshot> local = decode_local_copy(*local_copy_);
        EXPECT_TRUE(local.ok()) << where();
        if (local.ok()) {
          EXPECT_LE(local.value().generation, g) << where();
          EXPECT_EQ(newest_snapshot({&start, &local.value()}), &start);
        }
      }
      if (!become_master(std::move(start), r)) return first_recovered;
    }
  }

  // True if the take-over was interrupted (and must be recovered from).
  bool become_master(Snapshot start, const RecoveredLog& area_contents, bool may_crash = true) {
    const auto& hosts = start.database.hosts();
    auto it = hosts.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(random_.below(hosts.size())));
    writer_.emplace(MasterToken::for_elected_master(it->first), kHistoryLog, std::move(start),
                    area_contents);
    Result<PendingWrite> take_over = writer_->take_over();
    EXPECT_TRUE(take_over.ok()) << where();
    Database after = reference_;
    SetPoolFields master;
    master.master = it->first;
    EXPECT_TRUE(after.apply(master).ok());
    remember(take_over.value().generation, after);
    if (may_crash && random_.chance(15)) {
      std::size_t completed = 0;
      tear(take_over.value(), completed);
      ++stats_.crashes;
      return true;
    }
    area_.perform_all(take_over.value());
    acknowledged(take_over.value(), std::move(after));
    return false;
  }

  TestRandom random_;
  SimulatedArea area_{kHistoryLog};
  Database reference_;                    // the acknowledged state
  Generation acked_ = 0;                  // its generation
  std::map<Generation, Database> known_;  // every state written, or that may have been
  std::vector<std::pair<std::uint64_t, std::size_t>>
      chain_;  // current chain: offset, covered bytes
  std::optional<MetadataLogWriter> writer_;
  std::optional<std::vector<std::uint8_t>> local_copy_;
  Stats stats_;
  int step_ = 0;
};

TEST(PoolRandomHistory, ThousandsOfStepsAgainstAReferenceModel) {
  for (std::uint64_t seed : {20240601u, 7u}) {
    RandomHistory history(seed);
    history.run(2500);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace poolha::pool

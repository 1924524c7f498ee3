// Shared by the pool tests: sample records, a sample database, a simulated
// metadata area with crash injection, and a deterministic random source.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pool/change.h"
#include "pool/change_json.h"
#include "pool/database.h"
#include "pool/database_json.h"
#include "pool/log_geometry.h"
#include "pool/metadata_log_recovery.h"
#include "pool/metadata_log_writer.h"

namespace poolha::pool {

// Readable failure messages: gtest prints values through these.
inline void PrintTo(const Database& db, std::ostream* os) {
  *os << encode_database(db);
}
inline void PrintTo(const Change& change, std::ostream* os) {
  *os << encode_change(change);
}

}  // namespace poolha::pool

namespace poolha::pool::test_support {

inline constexpr std::int64_t kGiB = std::int64_t{1} << 30;

inline Host make_host(std::string uuid, std::int64_t total_gib = 64,
                      std::int64_t overhead_gib = 4) {
  Host h;
  h.name_label = "host " + uuid;
  h.uuid = std::move(uuid);
  h.address = "192.0.2.10";
  h.memory_total = total_gib * kGiB;
  h.memory_overhead = overhead_gib * kGiB;
  h.live = true;
  return h;
}

inline Sr make_sr(std::string uuid, bool heartbeat) {
  Sr sr;
  sr.name_label = "SR " + uuid;
  sr.uuid = std::move(uuid);
  sr.type = heartbeat ? "lvmoiscsi" : "ext";
  sr.shared = heartbeat;
  sr.heartbeat = heartbeat;
  return sr;
}

// Running on `host` when given, Halted otherwise.
inline Vm make_vm(std::string uuid, std::int64_t memory_gib, std::string host = {},
                  RestartPriority priority = RestartPriority::kRestart) {
  Vm vm;
  vm.name_label = "vm " + uuid;
  vm.uuid = std::move(uuid);
  vm.memory_static_max = memory_gib * kGiB;
  vm.power_state = host.empty() ? PowerState::kHalted : PowerState::kRunning;
  vm.resident_on = std::move(host);
  vm.ha_restart_priority = priority;
  vm.ha_always_run = priority == RestartPriority::kRestart;
  vm.agile = true;
  return vm;
}

inline void apply_ok(Database& db, const Change& change) {
  const Status s = db.apply(change);
  ASSERT_TRUE(s.ok()) << s.error().message();
}

// Three hosts, a heartbeat SR and a local SR, VMs in every power state, HA
// enabled with a 90 s timeout and host-a as master.
inline Database sample_database() {
  Database db("pool-1", "sample pool");
  for (const char* h : {"host-a", "host-b", "host-c"}) apply_ok(db, UpsertHost{make_host(h)});
  apply_ok(db, UpsertSr{make_sr("sr-hb", true)});
  apply_ok(db, UpsertSr{make_sr("sr-local", false)});
  apply_ok(db, UpsertVm{make_vm("vm-1", 8, "host-a")});
  apply_ok(db, UpsertVm{make_vm("vm-2", 4, "host-a", RestartPriority::kBestEffort)});
  apply_ok(db, UpsertVm{make_vm("vm-3", 2)});
  Vm paused = make_vm("vm-4", 16, "host-b");
  paused.power_state = PowerState::kPaused;
  paused.order = 2;
  paused.start_delay = 30;
  apply_ok(db, UpsertVm{paused});
  Vm suspended = make_vm("vm-5", 1, {}, RestartPriority::kUnprotected);
  suspended.power_state = PowerState::kSuspended;
  suspended.agile = false;
  apply_ok(db, UpsertVm{suspended});
  SetPoolFields enable;
  enable.master = "host-a";
  enable.ha_enabled = true;
  enable.ha_statefiles = std::vector<std::string>{"sr-hb"};
  enable.ha_configuration = std::map<std::string, std::string>{{"timeout", "90"}};
  enable.ha_host_failures_to_tolerate = 1;
  apply_ok(db, enable);
  return db;
}

// A deterministic generator that does not depend on the standard library's
// distributions (splitmix64).
class TestRandom {
 public:
  explicit TestRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool chance(unsigned percent) { return below(100) < percent; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(next()); }

 private:
  std::uint64_t state_;
};

// How the interrupted write of a crash left its bytes.
enum class TornMode {
  kPrefix,       // the first `length` bytes landed, the rest kept their old contents
  kGarbageTail,  // the first `length` bytes landed, the rest became random bytes
  kMixedBlocks,  // each block independently new, old or random (reordered sectors)
};

// The metadata area as a byte vector that writes land in.
class SimulatedArea {
 public:
  explicit SimulatedArea(LogGeometry geometry)
      : geometry_(geometry), bytes_(geometry.area_size, 0) {}

  const LogGeometry& geometry() const { return geometry_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

  void perform(const AreaWrite& w) { perform_prefix(w, w.bytes.size()); }
  void perform_all(const PendingWrite& p) {
    for (const AreaWrite& w : p.writes) perform(w);
  }
  void perform_prefix(const AreaWrite& w, std::size_t length) {
    ASSERT_LE(w.offset + w.bytes.size(), bytes_.size());
    std::copy(w.bytes.begin(), w.bytes.begin() + static_cast<std::ptrdiff_t>(length),
              bytes_.begin() + static_cast<std::ptrdiff_t>(w.offset));
  }
  // The write interrupted: what reached the disk depends on `mode`.
  void perform_torn(const AreaWrite& w, std::size_t length, TornMode mode, TestRandom& random) {
    switch (mode) {
      case TornMode::kPrefix:
        perform_prefix(w, length);
        return;
      case TornMode::kGarbageTail:
        perform_prefix(w, length);
        for (std::size_t i = length; i < w.bytes.size(); ++i) bytes_[w.offset + i] = random.byte();
        return;
      case TornMode::kMixedBlocks:
        for (std::size_t start = 0; start < w.bytes.size(); start += geometry_.block_size) {
          const std::size_t end = std::min(w.bytes.size(), start + geometry_.block_size);
          const auto choice = random.below(3);
          for (std::size_t i = start; i < end; ++i) {
            if (choice == 0) bytes_[w.offset + i] = w.bytes[i];
            if (choice == 1) bytes_[w.offset + i] = random.byte();
          }
        }
        return;
    }
  }

  RecoveredLog recover() const { return recover_metadata_log(geometry_, bytes_); }

 private:
  LogGeometry geometry_;
  std::vector<std::uint8_t> bytes_;
};

// A writer on `area` that has taken over from whatever the area holds (or
// from `initial` on a blank area), with the take-over written and acknowledged.
inline MetadataLogWriter open_writer(SimulatedArea& area, const std::string& master,
                                     const Database& initial) {
  const RecoveredLog recovered = area.recover();
  Snapshot start = recovered.newest ? *recovered.newest : Snapshot{initial, 0};
  MetadataLogWriter writer(MasterToken::for_elected_master(master), area.geometry(),
                           std::move(start), recovered);
  Result<PendingWrite> take_over = writer.take_over();
  EXPECT_TRUE(take_over.ok()) << take_over.error().message();
  area.perform_all(take_over.value());
  writer.acknowledge(take_over.value().generation);
  return writer;
}

// Appends, performs every write and acknowledges; returns the generation.
inline Generation commit(SimulatedArea& area, MetadataLogWriter& writer, const Change& change) {
  Result<PendingWrite> pending = writer.append(change);
  EXPECT_TRUE(pending.ok()) << pending.error().message();
  if (!pending.ok()) return 0;
  area.perform_all(pending.value());
  writer.acknowledge(pending.value().generation);
  return pending.value().generation;
}

// A VM change that keeps the database valid and differs on every call; it
// touches `distinct_vms` VMs in turn, which bounds the database's size.
inline Change vm_change(int i, int distinct_vms = 40) {
  const std::string uuid = "vm-" + std::to_string(100 + i % distinct_vms);
  return UpsertVm{make_vm(uuid, 1 + i % 7, i % 3 == 0 ? std::string() : "host-b")};
}

}  // namespace poolha::pool::test_support

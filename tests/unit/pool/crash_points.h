// Crash injection for the metadata log tests: interrupts an outstanding
// request at every point of its writes and checks what recovery finds.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "pool_test_support.h"

namespace poolha::pool::test_support {

// What the area may legitimately hold after a crash during `pending`: the
// acknowledged state, or the outstanding one (only if it reached the disk).
struct CrashExpectation {
  Generation acked_generation;
  Database acked;
  Generation pending_generation;
  Database pending;
};

// Recovery found the acknowledged state or the whole outstanding one, and
// the outstanding one whenever `pending_landed` (one copy fully written).
inline void expect_recovered(const RecoveredLog& r, const CrashExpectation& e, bool pending_landed,
                             const std::string& where) {
  ASSERT_TRUE(r.newest.has_value()) << where;
  const Generation g = r.newest->generation;
  if (g == e.acked_generation && !pending_landed) {
    EXPECT_EQ(r.newest->database, e.acked) << where;
  } else {
    ASSERT_EQ(g, e.pending_generation) << where << " (acknowledged " << e.acked_generation << ")";
    EXPECT_EQ(r.newest->database, e.pending) << where;
  }
}

// A new master takes over the crashed area and commits one more change;
// recovery must then find exactly that.
inline void expect_log_continues(SimulatedArea area, const std::string& where) {
  const RecoveredLog before = area.recover();
  ASSERT_TRUE(before.newest.has_value()) << where;
  MetadataLogWriter writer = open_writer(area, "host-c", before.newest->database);
  EXPECT_EQ(writer.generation(), before.highest_generation_seen + 1) << where;
  SetPoolFields touch;
  touch.name_label = "after " + where;
  const Generation g = commit(area, writer, touch);
  const RecoveredLog after = area.recover();
  ASSERT_TRUE(after.newest.has_value()) << where;
  EXPECT_EQ(after.newest->generation, g) << where;
  EXPECT_EQ(after.newest->database, writer.database()) << where;
}

struct CrashSweep {
  bool every_prefix = true;          // every prefix length, else every 7th and the edges
  int garbage_trials_per_write = 8;  // random garbage and reordered blocks
  int continue_every = 97;           // also check a new master continues, every n-th point
};

// Crashes during each write of `pending` (the earlier ones complete) at
// every prefix length, and with garbage, starting from `before`.
inline void sweep_crash_points(const SimulatedArea& before, const PendingWrite& pending,
                               const CrashExpectation& expectation, const CrashSweep& sweep,
                               std::uint64_t seed) {
  TestRandom random(seed);
  int point = 0;
  auto check = [&](const SimulatedArea& area, bool landed, const std::string& where) {
    const RecoveredLog r = area.recover();
    expect_recovered(r, expectation, landed, where);
    if (sweep.continue_every > 0 && point++ % sweep.continue_every == 0) {
      expect_log_continues(area, where);
    }
  };
  for (std::size_t w = 0; w < pending.writes.size(); ++w) {
    const AreaWrite& write = pending.writes[w];
    SimulatedArea start = before;
    for (std::size_t i = 0; i < w; ++i) start.perform(pending.writes[i]);
    const std::size_t size = write.bytes.size();
    for (std::size_t length = 0; length <= size; ++length) {
      const bool edge = length < 40 || size - length < 40;
      if (!sweep.every_prefix && !edge && length % 7 != 0) continue;
      SimulatedArea area = start;
      area.perform_prefix(write, length);
      check(area, w > 0 || length == size,
            "write " + std::to_string(w) + " prefix " + std::to_string(length));
    }
    for (int trial = 0; trial < sweep.garbage_trials_per_write; ++trial) {
      for (TornMode mode : {TornMode::kGarbageTail, TornMode::kMixedBlocks}) {
        SimulatedArea area = start;
        const std::size_t length = random.below(size);
        area.perform_torn(write, length, mode, random);
        check(area, w > 0,
              "write " + std::to_string(w) + " garbage mode " +
                  std::to_string(static_cast<int>(mode)) + " trial " + std::to_string(trial));
      }
    }
  }
}

}  // namespace poolha::pool::test_support

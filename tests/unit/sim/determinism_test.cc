// A seed replays bit for bit: same seed, same timeline hash; results of a
// sweep do not depend on the number of threads.
#include <gtest/gtest.h>

#include "sim/random_schedule.h"
#include "sim/scenario_runner.h"
#include "sim/sweep.h"

namespace poolha::sim {
namespace {

RunReport run_hashed(const Scenario& s) {
  RunOptions o;
  o.hash_timeline = true;
  return run_scenario(s, o);
}

TEST(Determinism, SameSeedGivesAnIdenticalTimeline) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const Scenario s = make_random_scenario({seed, 3, 30s});
    const RunReport a = run_hashed(s);
    const RunReport b = run_hashed(make_random_scenario({seed, 3, 30s}));
    EXPECT_EQ(a.timeline_hash, b.timeline_hash) << "seed " << seed;
    EXPECT_EQ(a.counters.events, b.counters.events);
    EXPECT_EQ(a.fences, b.fences);
    EXPECT_GT(a.counters.events, 1000u);
  }
}

TEST(Determinism, DifferentSeedsGiveDifferentTimelines) {
  EXPECT_NE(run_hashed(make_random_scenario({1, 3, 30s})).timeline_hash,
            run_hashed(make_random_scenario({2, 3, 30s})).timeline_hash);
}

TEST(Determinism, KeptLinesHashLikeTheHashOnlyRun) {
  const Scenario s = make_random_scenario({4, 2, 30s});
  RunOptions keep;
  keep.keep_timeline = true;
  const RunReport kept = run_scenario(s, keep);
  EXPECT_EQ(kept.timeline_hash, run_hashed(s).timeline_hash);
  EXPECT_FALSE(kept.timeline.empty());
}

TEST(Determinism, SweepResultsDoNotDependOnThreads) {
  SweepOptions o;
  o.first_seed = 10;
  o.last_seed = 17;
  o.hosts = 2;
  o.jobs = 1;
  const SweepResult one = run_sweep(o);
  o.jobs = 3;
  const SweepResult three = run_sweep(o);
  ASSERT_EQ(one.seeds.size(), 8u);
  ASSERT_EQ(three.seeds.size(), 8u);
  for (std::size_t i = 0; i < one.seeds.size(); ++i) {
    EXPECT_EQ(one.seeds[i].seed, 10 + i);
    EXPECT_EQ(one.seeds[i].seed, three.seeds[i].seed);
    EXPECT_EQ(one.seeds[i].events, three.seeds[i].events);
    EXPECT_EQ(one.seeds[i].fences, three.seeds[i].fences);
    EXPECT_EQ(one.seeds[i].violations.size(), three.seeds[i].violations.size());
    EXPECT_EQ(one.seeds[i].simulated, three.seeds[i].simulated);
  }
}

TEST(Determinism, ReplayCommandNamesTheSeedAndPool) {
  EXPECT_EQ(replay_command(42, 5, 30s), "poolha sim --random --seeds 42..42 --hosts 5 --timeline");
  EXPECT_EQ(replay_command(7, 3, 60s),
            "poolha sim --random --seeds 7..7 --hosts 3 --timeout 60s --timeline");
}

}  // namespace
}  // namespace poolha::sim

// The event queue pops by time, and by insertion order among equal times.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/event_queue.h"
#include "sim/prng.h"

namespace poolha::sim {
namespace {

VirtualTime at_us(std::int64_t us) {
  return kSimStart + Duration(us);
}

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue<int> q;
  q.push(at_us(30), 3);
  q.push(at_us(10), 1);
  q.push(at_us(20), 2);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.next_time(), at_us(10));
  EXPECT_EQ(q.pop()->payload, 1);
  EXPECT_EQ(q.pop()->payload, 2);
  EXPECT_EQ(q.pop()->payload, 3);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.pop().has_value());
}

TEST(EventQueue, TiesComeOutInInsertionOrder) {
  EventQueue<int> q;
  for (int i = 0; i < 1000; ++i) q.push(at_us(5), i);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(q.pop()->payload, i);
}

TEST(EventQueue, InterleavedPushesAndPopsAreDeterministic) {
  // Two queues fed the same pseudo-random pattern pop the same sequence, and
  // that sequence is sorted by (time, insertion).
  auto run = [] {
    EventQueue<std::uint64_t> q;
    Prng prng(11);
    std::vector<std::pair<std::int64_t, std::uint64_t>> out;
    std::uint64_t id = 0;
    for (int round = 0; round < 2000; ++round) {
      const auto pushes = prng.below(4);
      for (std::uint64_t i = 0; i < pushes; ++i)
        q.push(at_us(static_cast<std::int64_t>(prng.below(50))), id++);
      if (prng.chance_percent(60)) {
        if (auto e = q.pop()) out.emplace_back(us_of(e->time), e->payload);
      }
    }
    while (auto e = q.pop()) out.emplace_back(us_of(e->time), e->payload);
    return out;
  };
  const auto first = run();
  EXPECT_EQ(first, run());
  EXPECT_FALSE(first.empty());
}

TEST(EventQueue, MovesPayloadsOut) {
  EventQueue<std::vector<std::string>> q;
  q.push(at_us(1), std::vector<std::string>{"a", "b"});
  auto e = q.pop();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->payload.size(), 2u);
  EXPECT_EQ(e->sequence, 0u);
}

}  // namespace
}  // namespace poolha::sim

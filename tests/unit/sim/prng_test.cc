// The simulator's PRNG: reference values (so a seed means the same run on
// every platform and standard library), bounds and rough uniformity.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "sim/prng.h"

namespace poolha::sim {
namespace {

TEST(Prng, SplitMix64MatchesTheReferenceSequence) {
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(splitmix64(state), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(splitmix64(state), 0x06C45D188009454Full);
}

TEST(Prng, Xoshiro256StarStarMatchesTheReferenceSequence) {
  Prng prng(42);
  EXPECT_EQ(prng.next(), 0x15780B2E0C2EC716ull);
  EXPECT_EQ(prng.next(), 0x6104D9866D113A7Eull);
  EXPECT_EQ(prng.next(), 0xAE17533239E499A1ull);
}

TEST(Prng, SameSeedSameSequenceOtherSeedOtherSequence) {
  Prng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Prng, BelowAndBetweenStayInRange) {
  Prng prng(1);
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_LT(prng.below(7), 7u);
    const auto v = prng.between(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
  }
  EXPECT_EQ(prng.below(0), 0u);
  EXPECT_EQ(prng.between(5, 5), 5);
  EXPECT_EQ(prng.between(5, 4), 5);
}

TEST(Prng, BelowIsRoughlyUniform) {
  Prng prng(99);
  std::array<int, 10> counts{};
  constexpr int kDraws = 100'000;
  for (int i = 0; i < kDraws; ++i) ++counts[prng.below(10)];
  for (int c : counts) {
    EXPECT_GT(c, kDraws / 10 * 95 / 100);
    EXPECT_LT(c, kDraws / 10 * 105 / 100);
  }
}

TEST(Prng, ChanceHitsItsProbability) {
  Prng prng(5);
  int hits = 0;
  constexpr int kDraws = 100'000;
  for (int i = 0; i < kDraws; ++i) hits += prng.chance_ppm(250'000) ? 1 : 0;
  EXPECT_NEAR(hits, kDraws / 4, kDraws / 100);
  EXPECT_FALSE(prng.chance_ppm(0));
  EXPECT_TRUE(prng.chance_ppm(1'000'000));
  EXPECT_TRUE(prng.chance_percent(100));
}

}  // namespace
}  // namespace poolha::sim

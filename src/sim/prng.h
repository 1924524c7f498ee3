// The simulator's only source of randomness: xoshiro256** seeded through
// splitmix64. Hand-written on purpose: std:: distributions differ between
// standard libraries, and a seed must replay the same timeline everywhere.
#pragma once

#include <array>
#include <cstdint>

namespace poolha::sim {

// One step of splitmix64; also used to derive independent seeds.
std::uint64_t splitmix64(std::uint64_t& state);

class Prng {
 public:
  explicit Prng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, bound); bound 0 returns 0. Unbiased (rejection sampling).
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [lo, hi] (inclusive).
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability ppm / 1'000'000.
  bool chance_ppm(std::uint32_t ppm);
  // True with probability percent / 100.
  bool chance_percent(std::uint32_t percent) { return chance_ppm(percent * 10'000); }

 private:
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace poolha::sim

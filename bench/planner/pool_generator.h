// Reproducible pool shapes for the benchmark: host memory and protected VMs
// placed on hosts until the pool is as full as asked. Same seed, same pool.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "planner/pool_shape.h"

namespace poolha::bench {

inline constexpr planner::Bytes kMiB = planner::Bytes{1} << 20;
inline constexpr planner::Bytes kGiB = planner::Bytes{1} << 30;

// std::mt19937_64 gives the same sequence everywhere; the mapping to ranges
// is done here because std:: distributions differ between libraries.
class BenchRandom {
 public:
  explicit BenchRandom(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
    return lo + engine_() % (hi - lo + 1);
  }

 private:
  std::mt19937_64 engine_;
};

enum class HostSizes {
  kUniform,  // every host 512 GiB
  kMixed,    // 256 to 1024 GiB in steps of 128 GiB
};

enum class VmSizes {
  kEqual,   // every VM 16 GiB
  kSpread,  // 1 to 64 GiB, as many VMs in each doubling (1-2, 2-4, ..., 32-64)
  kSkewed,  // one or two VMs of 128-192 GiB, the rest 1-8 GiB
  kLarge,   // 24 to 64 GiB: few VMs per host, so packing matters more than volume
};

std::string describe(HostSizes sizes);
std::string describe(VmSizes sizes);

struct GeneratedPool {
  planner::PoolShape shape;
  planner::Bytes capacity = 0;  // memory of all hosts for guests
  planner::Bytes used = 0;      // memory of the VMs placed
  double fill() const { return static_cast<double>(used) / static_cast<double>(capacity); }
};

// Adds VMs of the given kind until `fill_percent` of the pool's memory is used.
GeneratedPool generate_pool(std::uint32_t hosts, HostSizes host_sizes, VmSizes vm_sizes,
                            std::uint32_t fill_percent, std::uint64_t seed);

// Exactly `vms` VMs (unless the pool runs out of room) on hosts of mixed
// sizes, their 1-64 GiB sizes scaled so that about `fill_percent` is used.
GeneratedPool generate_pool_with_vm_count(std::uint32_t hosts, std::uint32_t vms,
                                          std::uint32_t fill_percent, std::uint64_t seed);

}  // namespace poolha::bench

#include "pool_generator.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace poolha::bench {
namespace {

using planner::Bytes;

Bytes host_memory(HostSizes sizes, BenchRandom& random) {
  if (sizes == HostSizes::kUniform) return 512 * kGiB;
  return random.between(2, 8) * 128 * kGiB;
}

// A size in [2^i, 2^(i+1)) GiB for a random i in 0..5, in whole MiB.
Bytes spread_vm_memory(BenchRandom& random) {
  const std::uint64_t low_mib = std::uint64_t{1024} << random.between(0, 5);
  return random.between(low_mib, 2 * low_mib - 1) * kMiB;
}

// Places a VM on a random host with room, or on the first host with room
// when a few random picks fail. False when no host has room.
bool place_vm(GeneratedPool& pool, Bytes memory, BenchRandom& random) {
  std::vector<Bytes>& free = pool.shape.host_free;
  std::optional<std::uint32_t> host;
  for (int attempt = 0; attempt < 16 && !host; ++attempt) {
    const auto pick = static_cast<std::uint32_t>(random.between(0, free.size() - 1));
    if (free[pick] >= memory) host = pick;
  }
  for (std::uint32_t h = 0; h < free.size() && !host; ++h) {
    if (free[h] >= memory) host = h;
  }
  if (!host) return false;
  free[*host] -= memory;
  pool.shape.vms.push_back({memory, *host});
  pool.used += memory;
  return true;
}

GeneratedPool empty_pool(std::uint32_t hosts, HostSizes host_sizes, BenchRandom& random) {
  GeneratedPool pool;
  for (std::uint32_t h = 0; h < hosts; ++h) {
    pool.shape.host_free.push_back(host_memory(host_sizes, random));
    pool.capacity += pool.shape.host_free.back();
  }
  return pool;
}

}  // namespace

std::string describe(HostSizes sizes) {
  return sizes == HostSizes::kUniform ? "uniform" : "mixed";
}

std::string describe(VmSizes sizes) {
  switch (sizes) {
    case VmSizes::kEqual:
      return "equal";
    case VmSizes::kSpread:
      return "spread";
    case VmSizes::kSkewed:
      return "skewed";
    case VmSizes::kLarge:
      return "large";
  }
  return "?";
}

GeneratedPool generate_pool(std::uint32_t hosts, HostSizes host_sizes, VmSizes vm_sizes,
                            std::uint32_t fill_percent, std::uint64_t seed) {
  BenchRandom random(seed);
  GeneratedPool pool = empty_pool(hosts, host_sizes, random);
  const Bytes target = pool.capacity / 100 * fill_percent;
  if (vm_sizes == VmSizes::kSkewed) {
    const std::uint64_t huge_vms = random.between(1, 2);
    for (std::uint64_t i = 0; i < huge_vms; ++i) {
      place_vm(pool, random.between(128 * 1024, 192 * 1024) * kMiB, random);
    }
  }
  while (pool.used < target) {
    Bytes memory = 16 * kGiB;
    if (vm_sizes == VmSizes::kSpread) memory = spread_vm_memory(random);
    if (vm_sizes == VmSizes::kSkewed) memory = random.between(1024, 8 * 1024) * kMiB;
    if (vm_sizes == VmSizes::kLarge) memory = random.between(24 * 1024, 64 * 1024) * kMiB;
    if (!place_vm(pool, memory, random)) break;
  }
  return pool;
}

GeneratedPool generate_pool_with_vm_count(std::uint32_t hosts, std::uint32_t vms,
                                          std::uint32_t fill_percent, std::uint64_t seed) {
  BenchRandom random(seed);
  GeneratedPool pool = empty_pool(hosts, HostSizes::kMixed, random);
  std::vector<Bytes> memory(vms);
  Bytes raw_total = 0;
  for (Bytes& m : memory) {
    m = spread_vm_memory(random) / kMiB;
    raw_total += m;
  }
  // Scale in MiB (products stay far below 2^64), then keep within 1-64 GiB.
  const Bytes target_mib = pool.capacity / kMiB / 100 * fill_percent;
  for (Bytes& m : memory)
    m = std::clamp(m * target_mib / raw_total, Bytes{1024}, Bytes{65536}) * kMiB;
  for (Bytes m : memory) place_vm(pool, m, random);
  return pool;
}

}  // namespace poolha::bench

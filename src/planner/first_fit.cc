#include "planner/first_fit.h"

#include <algorithm>
#include <numeric>

namespace poolha::planner {

std::vector<std::uint32_t> decreasing_order(std::span<const Bytes> vm_memory) {
  std::vector<std::uint32_t> order(vm_memory.size());
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return vm_memory[a] > vm_memory[b]; });
  return order;
}

std::optional<std::uint32_t> first_fit_host(std::span<const Bytes> remaining, Bytes size) {
  for (std::size_t h = 0; h < remaining.size(); ++h) {
    if (remaining[h] >= size) return static_cast<std::uint32_t>(h);
  }
  return std::nullopt;
}

bool first_fit_all(std::span<Bytes> remaining, std::span<const Bytes> sizes) {
  for (Bytes size : sizes) {
    std::optional<std::uint32_t> host = first_fit_host(remaining, size);
    if (!host) return false;
    remaining[*host] -= size;
  }
  return true;
}

}  // namespace poolha::planner

#include "sim/virtual_time.h"

#include <fmt/format.h>

namespace poolha::sim {

std::string format_virtual_time(VirtualTime t) {
  const std::int64_t us = us_of(t);
  const std::int64_t ms = us / 1000;
  return fmt::format("{:>4}.{:03}s", ms / 1000, ms % 1000);
}

}  // namespace poolha::sim

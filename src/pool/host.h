// A host of the pool as the database records it.
#pragma once

#include <cstdint>
#include <string>

namespace poolha::pool {

struct Host {
  std::string uuid;
  std::string name_label;
  std::string address;               // management address
  std::int64_t memory_total = 0;     // bytes
  std::int64_t memory_overhead = 0;  // bytes kept by the hypervisor and dom0, never for guests
  bool enabled = true;               // a disabled host receives no new VMs (maintenance)
  std::uint32_t ha_weight = 1;       // preference when HA must choose between partitions
  bool live = false;                 // in the HA liveset, as last reported by the master

  friend bool operator==(const Host&, const Host&) = default;
};

}  // namespace poolha::pool

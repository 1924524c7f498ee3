// Encoded statefile regions for the storage tests.
#pragma once

#include <cstdint>
#include <vector>

#include "wire/statefile.h"

namespace poolha::sim::testing {

inline wire::HostSlot sample_slot(std::uint16_t host_count, HostIndex host, std::uint64_t sequence,
                                  std::uint32_t incarnation = 1) {
  wire::HostSlot s;
  s.generation = 1;
  s.host_count = host_count;
  s.host = host;
  s.incarnation = incarnation;
  s.sequence = sequence;
  s.stamp_us = 1000 * sequence;
  s.view.phase = wire::Phase::kMember;
  s.view.current.epoch = sequence;
  s.view.current.members = HostSet::first_n(host_count);
  for (HostIndex h = 0; h < host_count; ++h) s.view.current.incarnation[h] = 1;
  s.view.current.master = 0;
  s.acks.resize(host_count);
  return s;
}

inline std::vector<std::uint8_t> encoded_slot(std::uint16_t host_count, HostIndex host,
                                              std::uint64_t sequence) {
  return wire::encode_slot(sample_slot(host_count, host, sequence));
}

inline std::vector<std::uint8_t> encoded_global(std::uint16_t host_count, HostIndex master) {
  wire::GlobalSection g;
  g.generation = 1;
  g.pool_state = wire::PoolState::kActive;
  g.host_count = host_count;
  g.base_timeout_ms = 30'000;
  g.master = master;
  g.master_incarnation = 1;
  g.master_epoch = 1;
  g.host_uuids.resize(host_count);
  for (HostIndex h = 0; h < host_count; ++h) g.host_uuids[h][1] = static_cast<std::uint8_t>(h);
  return wire::encode_global(g);
}

}  // namespace poolha::sim::testing

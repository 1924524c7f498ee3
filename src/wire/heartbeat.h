// The UDP heartbeat: one packet per (sender, recipient) every heartbeat
// interval. Explicit little-endian, versioned, length-checked, authenticated
// with HMAC-SHA256 under the pool secret. Layout in docs/wire-format.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wire/decode_error.h"
#include "wire/view.h"

namespace poolha::wire {

inline constexpr std::uint32_t kHeartbeatMagic = 0x42484850;  // "PHHB" little-endian
inline constexpr std::size_t kHmacSize = 32;

struct HeartbeatPacket {
  std::uint64_t generation = 0;  // HA-enable generation; other generations are dropped
  std::uint16_t host_count = 0;  // pool size the sender is configured with (1..256)
  HostIndex sender = 0;
  HostIndex recipient = 0;
  std::uint32_t incarnation = 0;  // sender's boot counter, never 0, grows on every start
  std::uint64_t sequence = 0;     // per (sender, incarnation), strictly increasing
  std::uint64_t stamp_us = 0;     // sender's monotonic clock at send; echoed back as an ack
  Ack echo;                       // newest stamp of the recipient the sender has seen
  View view;
};

// The pool secret keys the HMAC. It is shared by all hosts of a pool.
using Secret = std::span<const std::uint8_t>;

std::vector<std::uint8_t> encode_heartbeat(const HeartbeatPacket& p, Secret secret);

// Checks magic, version, length, every field's range, and the HMAC. Replay
// protection (generation, incarnation, sequence) is the receiver's job: it
// needs per-sender state.
Decoded<HeartbeatPacket> decode_heartbeat(std::span<const std::uint8_t> bytes, Secret secret);

// Upper bound of an encoded packet for a pool of `host_count` hosts.
std::size_t max_heartbeat_size(std::uint16_t host_count);

}  // namespace poolha::wire

// The statefile on the heartbeat SR: a global section, then two copies of a
// slot per host. Each region is little-endian, versioned, length-checked and
// ends with a CRC32C. A host alternates between its two copies so a torn write
// only ever damages the copy being written; readers take the valid copy with
// the higher sequence. Layout in docs/wire-format.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/decode_error.h"
#include "wire/view.h"

namespace poolha::wire {

inline constexpr std::uint32_t kGlobalMagic = 0x4C475350;  // "PSGL"
inline constexpr std::uint32_t kSlotMagic = 0x54535350;    // "PSST"
inline constexpr std::size_t kStatefileAlign = 4096;       // O_DIRECT-friendly

using Uuid = std::array<std::uint8_t, 16>;

enum class PoolState : std::uint8_t {
  kNone = 0,     // never initialised
  kInit = 1,     // HA being enabled: every configured host must come up
  kActive = 2,   // HA on
  kInvalid = 3,  // HA being disabled: every daemon disarms and stops
};

// Written only by the master (or by the host enabling or disabling HA).
struct GlobalSection {
  std::uint64_t generation = 0;
  PoolState pool_state = PoolState::kNone;
  std::uint16_t host_count = 0;
  std::uint32_t base_timeout_ms = 0;  // T, the persistent HA timeout
  // Mirror of the master lock, for readers outside the liveset (CLI, booting
  // hosts). The lock itself is the committed membership (docs/protocol.md).
  HostIndex master = kNoHost;
  std::uint32_t master_incarnation = 0;
  std::uint64_t master_epoch = 0;
  std::vector<Uuid> host_uuids;  // host_count entries, sorted: index = position
};

// Written only by its owner.
struct HostSlot {
  std::uint64_t generation = 0;
  std::uint16_t host_count = 0;
  HostIndex host = 0;
  std::uint32_t incarnation = 0;
  std::uint64_t sequence = 0;  // +1 on every write, continues across restarts
  std::uint64_t stamp_us = 0;  // writer's monotonic clock when the write was issued
  View view;
  std::vector<Ack> acks;  // host_count entries: newest stamp seen from each host
};

// Byte offsets and sizes of every region for a pool size.
struct StatefileLayout {
  std::uint16_t host_count = 0;
  std::size_t global_size = 0;  // multiple of kStatefileAlign
  std::size_t slot_size = 0;    // one copy; multiple of kStatefileAlign
  std::size_t total_size() const { return global_size + 2 * host_count * slot_size; }
  std::size_t slot_offset(HostIndex h, int copy) const {
    return global_size + (2 * static_cast<std::size_t>(h) + static_cast<std::size_t>(copy)) *
                             slot_size;
  }
};
StatefileLayout layout_for(std::uint16_t host_count);

// Encoders return exactly global_size / slot_size bytes (zero padded).
std::vector<std::uint8_t> encode_global(const GlobalSection& g);
std::vector<std::uint8_t> encode_slot(const HostSlot& s);
// A slot is written to copy (sequence % 2).
inline int slot_copy_for(std::uint64_t sequence) { return static_cast<int>(sequence % 2); }

Decoded<GlobalSection> decode_global(std::span<const std::uint8_t> bytes);
Decoded<HostSlot> decode_slot(std::span<const std::uint8_t> bytes);

// One host's slot as read: the newer valid copy, or why there is none.
struct SlotRead {
  std::optional<HostSlot> slot;
  DecodeError error = DecodeError::kEmpty;  // meaningful when !slot
};
// Picks the valid copy with the higher sequence; checks it belongs to `host`.
SlotRead pick_slot(std::span<const std::uint8_t> copy0, std::span<const std::uint8_t> copy1,
                   HostIndex host);

// A whole statefile read, decoded: what the membership engine consumes.
struct StatefileImage {
  std::optional<GlobalSection> global;
  DecodeError global_error = DecodeError::kEmpty;  // meaningful when !global
  std::vector<SlotRead> slots;                     // host_count entries
};
StatefileImage decode_statefile(std::span<const std::uint8_t> bytes, std::uint16_t host_count);

}  // namespace poolha::wire

// One record of the metadata log (and of a slave's local copy): a 32-byte
// header, a JSON payload, and zero padding up to the block size.
// docs/pool-database.md gives the exact bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "pool/generation.h"

namespace poolha::pool {

enum class RecordKind : std::uint8_t {
  kSnapshot = 1,  // the whole database at `generation` (payload: encode_database)
  kDelta = 2,     // one change taking generation - 1 to generation (payload: encode_change)
};

inline constexpr std::uint32_t kRecordMagic = 0x4C424450;  // bytes "PDBL"
inline constexpr std::uint16_t kRecordVersion = 1;
inline constexpr std::size_t kRecordHeaderSize = 32;

// Why no record could be read at a position.
enum class RecordFault : std::uint8_t {
  kBlank,        // no magic: never written, zeros, or the middle of something else
  kTruncated,    // header or payload runs past the end of the bytes
  kBadVersion,   // a version this build does not read
  kBadField,     // kind, flags or generations out of range
  kBadChecksum,  // CRC32C mismatch: torn or corrupted
};
std::string_view to_string(RecordFault fault);

struct RecordView {
  RecordKind kind;
  Generation generation;
  // The generation of the snapshot that starts this record's chain (equal to
  // `generation` for a snapshot). Records of an older chain left in the area
  // never match a newer one, even at the same generation.
  Generation base;
  std::string_view payload;  // points into the bytes read
  std::size_t stored_size;   // header + payload + padding
};

// The record's bytes: header, payload, zeros up to a multiple of block_size
// (1 means no padding). Generations must be consistent (checked).
std::vector<std::uint8_t> encode_record(RecordKind kind, Generation generation, Generation base,
                                        std::string_view payload, std::uint32_t block_size);

// Size of encode_record's result for a payload of `payload_size` bytes.
std::size_t stored_record_size(std::size_t payload_size, std::uint32_t block_size);

// Reads the record that starts at bytes[0]; the bytes may continue past it.
// Never reads outside `bytes`.
std::variant<RecordView, RecordFault> read_record(std::span<const std::uint8_t> bytes,
                                                  std::uint32_t block_size);

}  // namespace poolha::pool

// The sectors of a VM disk written by `poolha disk-writer`: a header naming
// the VM in sector 0, then one record per 512-byte sector, appended in order.
// The disk oracle reads them back after a chaos run to prove that no VM ran
// twice at once and that no acknowledged write was lost.
//
// Both kinds of sector are little-endian, fixed-size and end in a CRC32C of
// the bytes before it, so a torn or overwritten sector is recognised rather
// than misread; an all-zero sector is "empty" (never written). Layout
// (offsets in bytes):
//
//   0   magic u32 ("DISK" header, "RCRD" record)
//   4   version u16 (kDiskFormatVersion)
//   6   reserved u16, zero
//   8   VM id, 36 ASCII characters (canonical lowercase UUID)
//   record only:
//   44  boot id, 16 bytes
//   60  sequence u64, from 1 within a boot
//   68  time u64, CLOCK_MONOTONIC in nanoseconds (the hosts of a chaos pool
//       are namespaces of one machine and share it; wall-clock time may be
//       jumped by a fault)
//   ... zero up to 508
//   508 CRC32C of bytes 0..507
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "oracle/ids.h"
#include "wire/decode_error.h"

namespace poolha::oracle {

inline constexpr std::size_t kSectorSize = 512;
inline constexpr std::uint16_t kDiskFormatVersion = 1;
inline constexpr std::uint32_t kHeaderMagic = 0x4B534944;  // "DISK" in disk byte order
inline constexpr std::uint32_t kRecordMagic = 0x44524352;  // "RCRD" in disk byte order

using Sector = std::array<std::uint8_t, kSectorSize>;

struct DiskHeader {
  std::string vm;  // canonical VM id
  friend bool operator==(const DiskHeader&, const DiskHeader&) = default;
};

struct DiskRecord {
  std::string vm;  // canonical VM id
  BootId boot;
  std::uint64_t sequence = 0;  // 1, 2, ... within one boot
  std::uint64_t time_ns = 0;   // CLOCK_MONOTONIC when the writer wrote it
  friend bool operator==(const DiskRecord&, const DiskRecord&) = default;
};

// Encoders require valid values (a canonical VM id, a non-zero boot id, a
// sequence from 1): anything else is a bug in the caller.
Sector encode_header(const DiskHeader& header);
Sector encode_record(const DiskRecord& record);

// Decoders return kBadLength for a span other than one sector, kEmpty for an
// all-zero sector, kBadChecksum for a CRC mismatch, kBadMagic for the other
// kind of sector or a foreign one, kBadVersion, and kBadField for a VM id that
// is not a canonical UUID, a zero boot id or sequence, or non-zero padding.
wire::Decoded<DiskHeader> decode_header(std::span<const std::uint8_t> sector);
wire::Decoded<DiskRecord> decode_record(std::span<const std::uint8_t> sector);

}  // namespace poolha::oracle

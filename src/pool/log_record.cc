#include "pool/log_record.h"

#include <algorithm>

#include "common/check.h"
#include "wire/byte_io.h"
#include "wire/crc32c.h"

namespace poolha::pool {
namespace {

using wire::detail::load_u16;
using wire::detail::load_u32;
using wire::detail::load_u64;

// Header field offsets.
constexpr std::size_t kMagicAt = 0;
constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kKindAt = 6;
constexpr std::size_t kFlagsAt = 7;
constexpr std::size_t kGenerationAt = 8;
constexpr std::size_t kBaseAt = 16;
constexpr std::size_t kLengthAt = 24;
constexpr std::size_t kCrcAt = 28;
static_assert(kCrcAt + 4 == kRecordHeaderSize);

bool generations_consistent(RecordKind kind, Generation generation, Generation base) {
  if (generation == 0) return false;
  return kind == RecordKind::kSnapshot ? base == generation : base >= 1 && base < generation;
}

// CRC32C over the header up to the CRC field, then the payload.
std::uint32_t record_crc(std::span<const std::uint8_t> header,
                         std::span<const std::uint8_t> payload) {
  return wire::crc32c(payload, wire::crc32c(header.first(kCrcAt)));
}

}  // namespace

std::string_view to_string(RecordFault fault) {
  switch (fault) {
    case RecordFault::kBlank:
      return "no record";
    case RecordFault::kTruncated:
      return "truncated record";
    case RecordFault::kBadVersion:
      return "unsupported record version";
    case RecordFault::kBadField:
      return "record field out of range";
    case RecordFault::kBadChecksum:
      return "record checksum mismatch";
  }
  return "?";
}

std::size_t stored_record_size(std::size_t payload_size, std::uint32_t block_size) {
  POOLHA_CHECK(block_size >= 1, "block size must be positive");
  const std::size_t raw = kRecordHeaderSize + payload_size;
  return (raw + block_size - 1) / block_size * block_size;
}

std::vector<std::uint8_t> encode_record(RecordKind kind, Generation generation, Generation base,
                                        std::string_view payload, std::uint32_t block_size) {
  POOLHA_CHECK(generations_consistent(kind, generation, base),
               "record generations inconsistent with its kind");
  POOLHA_CHECK(payload.size() <= UINT32_MAX, "record payload over 4 GiB");
  std::vector<std::uint8_t> out(stored_record_size(payload.size(), block_size), 0);
  wire::detail::Writer w(out);
  w.u32(kRecordMagic);
  w.u16(kRecordVersion);
  w.u8(static_cast<std::uint8_t>(kind));
  w.u8(0);  // flags
  w.u64(generation);
  w.u64(base);
  w.u32(static_cast<std::uint32_t>(payload.size()));
  w.u32(0);  // CRC, filled below
  std::copy(payload.begin(), payload.end(), out.begin() + kRecordHeaderSize);
  const std::span<const std::uint8_t> all(out);
  wire::detail::store_u32(
      out.data() + kCrcAt,
      record_crc(all.first(kRecordHeaderSize), all.subspan(kRecordHeaderSize, payload.size())));
  return out;
}

std::variant<RecordView, RecordFault> read_record(std::span<const std::uint8_t> bytes,
                                                  std::uint32_t block_size) {
  if (bytes.size() < 4 || load_u32(bytes.data() + kMagicAt) != kRecordMagic) {
    return RecordFault::kBlank;
  }
  if (bytes.size() < kRecordHeaderSize) return RecordFault::kTruncated;
  const std::uint8_t* h = bytes.data();
  if (load_u16(h + kVersionAt) != kRecordVersion) return RecordFault::kBadVersion;
  const std::uint8_t kind_byte = h[kKindAt];
  if (kind_byte != static_cast<std::uint8_t>(RecordKind::kSnapshot) &&
      kind_byte != static_cast<std::uint8_t>(RecordKind::kDelta)) {
    return RecordFault::kBadField;
  }
  const auto kind = static_cast<RecordKind>(kind_byte);
  const Generation generation = load_u64(h + kGenerationAt);
  const Generation base = load_u64(h + kBaseAt);
  if (h[kFlagsAt] != 0 || !generations_consistent(kind, generation, base)) {
    return RecordFault::kBadField;
  }
  const std::size_t length = load_u32(h + kLengthAt);
  if (length > bytes.size() - kRecordHeaderSize) return RecordFault::kTruncated;
  const std::span<const std::uint8_t> payload = bytes.subspan(kRecordHeaderSize, length);
  if (record_crc(bytes.first(kRecordHeaderSize), payload) != load_u32(h + kCrcAt)) {
    return RecordFault::kBadChecksum;
  }
  const std::size_t stored = stored_record_size(length, block_size);
  if (stored > bytes.size()) return RecordFault::kTruncated;
  return RecordView{kind, generation, base,
                    std::string_view(reinterpret_cast<const char*>(payload.data()), length),
                    stored};
}

}  // namespace poolha::pool

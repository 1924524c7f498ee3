#include "oracle/disk_record.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "common/check.h"
#include "wire/byte_io.h"
#include "wire/crc32c.h"

namespace poolha::oracle {

namespace {

using wire::DecodeError;

constexpr std::size_t kChecksumOffset = kSectorSize - 4;
constexpr std::size_t kHeaderFieldsEnd = 8 + kVmIdLength;
constexpr std::size_t kRecordFieldsEnd = kHeaderFieldsEnd + 16 + 8 + 8;

void put_common(wire::detail::Writer& w, std::uint32_t magic, const std::string& vm) {
  POOLHA_CHECK(parse_vm_id(vm) == vm, "disk sector needs a canonical VM id");
  w.u32(magic);
  w.u16(kDiskFormatVersion);
  w.u16(0);
  w.bytes({reinterpret_cast<const std::uint8_t*>(vm.data()), vm.size()});
}

void seal(Sector& sector) {
  const std::uint32_t crc = wire::crc32c(std::span(sector).first(kChecksumOffset));
  wire::detail::store_u32(sector.data() + kChecksumOffset, crc);
}

// The checks every sector kind shares, up to and including its VM id. Leaves
// the reader just past the VM id, or returns the error.
std::optional<DecodeError> check_common(std::span<const std::uint8_t> sector, std::uint32_t magic,
                                        wire::detail::Reader& r, std::string& vm) {
  if (sector.size() != kSectorSize) return DecodeError::kBadLength;
  if (std::all_of(sector.begin(), sector.end(), [](std::uint8_t b) { return b == 0; })) {
    return DecodeError::kEmpty;
  }
  const std::uint32_t stored = wire::detail::load_u32(sector.data() + kChecksumOffset);
  if (wire::crc32c(sector.first(kChecksumOffset)) != stored) return DecodeError::kBadChecksum;
  if (r.u32() != magic) return DecodeError::kBadMagic;
  if (r.u16() != kDiskFormatVersion) return DecodeError::kBadVersion;
  if (r.u16() != 0) return DecodeError::kBadField;
  const std::span<const std::uint8_t> id = r.bytes(kVmIdLength);
  vm.assign(reinterpret_cast<const char*>(id.data()), id.size());
  // Stored canonical by the encoder; anything else was not written by it.
  if (parse_vm_id(vm) != vm) return DecodeError::kBadField;
  return std::nullopt;
}

bool padding_is_zero(std::span<const std::uint8_t> sector, std::size_t from) {
  const auto padding = sector.subspan(from, kChecksumOffset - from);
  return std::all_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

Sector encode_header(const DiskHeader& header) {
  Sector sector{};
  wire::detail::Writer w(sector);
  put_common(w, kHeaderMagic, header.vm);
  seal(sector);
  return sector;
}

Sector encode_record(const DiskRecord& record) {
  POOLHA_CHECK(!record.boot.is_zero(), "disk record needs a boot id");
  POOLHA_CHECK(record.sequence >= 1, "disk record sequences start at 1");
  Sector sector{};
  wire::detail::Writer w(sector);
  put_common(w, kRecordMagic, record.vm);
  w.bytes(record.boot.bytes);
  w.u64(record.sequence);
  w.u64(record.time_ns);
  seal(sector);
  return sector;
}

wire::Decoded<DiskHeader> decode_header(std::span<const std::uint8_t> sector) {
  wire::detail::Reader r(sector, DecodeError::kTooShort);
  DiskHeader header;
  if (auto error = check_common(sector, kHeaderMagic, r, header.vm)) return *error;
  if (!padding_is_zero(sector, kHeaderFieldsEnd)) return DecodeError::kBadField;
  return header;
}

wire::Decoded<DiskRecord> decode_record(std::span<const std::uint8_t> sector) {
  wire::detail::Reader r(sector, DecodeError::kTooShort);
  DiskRecord record;
  if (auto error = check_common(sector, kRecordMagic, r, record.vm)) return *error;
  const std::span<const std::uint8_t> boot = r.bytes(record.boot.bytes.size());
  std::copy(boot.begin(), boot.end(), record.boot.bytes.begin());
  record.sequence = r.u64();
  record.time_ns = r.u64();
  if (record.boot.is_zero() || record.sequence == 0) return DecodeError::kBadField;
  if (!padding_is_zero(sector, kRecordFieldsEnd)) return DecodeError::kBadField;
  return record;
}

}  // namespace poolha::oracle

// The sector codec: exact little-endian bytes, round trips, and an error
// value (never a crash or a wrong record) for every kind of malformed sector.
#include "oracle/disk_record.h"

#include <gtest/gtest.h>

#include <string>

#include "oracle_test_support.h"

namespace poolha::oracle {
namespace {

using testing::boot_id;
using testing::kVmA;
using testing::reseal;
using wire::DecodeError;

DiskRecord sample_record() {
  return {kVmA, boot_id(7), 0x0102030405060708, 0x1122334455667788};
}

std::uint64_t load_le64(const Sector& s, std::size_t at) {
  return wire::detail::load_u64(s.data() + at);
}

TEST(DiskRecord, RecordRoundTrip) {
  const DiskRecord record = sample_record();
  const Sector sector = encode_record(record);
  const auto decoded = decode_record(sector);
  ASSERT_TRUE(decoded.ok()) << wire::to_string(decoded.error());
  EXPECT_EQ(decoded.value(), record);
}

TEST(DiskRecord, HeaderRoundTrip) {
  const Sector sector = encode_header({kVmA});
  const auto decoded = decode_header(sector);
  ASSERT_TRUE(decoded.ok()) << wire::to_string(decoded.error());
  EXPECT_EQ(decoded.value().vm, kVmA);
}

TEST(DiskRecord, RecordBytesAreLittleEndianAtFixedOffsets) {
  const Sector s = encode_record(sample_record());
  EXPECT_EQ(s[0], 'R');
  EXPECT_EQ(s[1], 'C');
  EXPECT_EQ(s[2], 'R');
  EXPECT_EQ(s[3], 'D');
  EXPECT_EQ(s[4], 1);  // version, low byte first
  EXPECT_EQ(s[5], 0);
  EXPECT_EQ(std::string(s.begin() + 8, s.begin() + 44), kVmA);
  EXPECT_EQ(s[44], 0x10);
  EXPECT_EQ(s[59], 7);  // the boot id's last byte
  EXPECT_EQ(s[60], 0x08);
  EXPECT_EQ(s[67], 0x01);
  EXPECT_EQ(load_le64(s, 60), 0x0102030405060708u);
  EXPECT_EQ(load_le64(s, 68), 0x1122334455667788u);
  for (std::size_t i = 76; i < 508; ++i) ASSERT_EQ(s[i], 0) << "padding at " << i;
  EXPECT_EQ(wire::detail::load_u32(s.data() + 508), wire::crc32c(std::span(s).first(508)));
}

TEST(DiskRecord, HeaderBytesStartWithDisk) {
  const Sector s = encode_header({kVmA});
  EXPECT_EQ(std::string(s.begin(), s.begin() + 4), "DISK");
  EXPECT_EQ(std::string(s.begin() + 8, s.begin() + 44), kVmA);
}

TEST(DiskRecord, AllZeroSectorIsEmpty) {
  const Sector zero{};
  EXPECT_EQ(decode_record(zero).error(), DecodeError::kEmpty);
  EXPECT_EQ(decode_header(zero).error(), DecodeError::kEmpty);
}

TEST(DiskRecord, WrongSizeIsBadLength) {
  const Sector s = encode_record(sample_record());
  EXPECT_EQ(decode_record(std::span(s).first(511)).error(), DecodeError::kBadLength);
  EXPECT_EQ(decode_record(std::span<const std::uint8_t>()).error(), DecodeError::kBadLength);
  std::vector<std::uint8_t> longer(s.begin(), s.end());
  longer.push_back(0);
  EXPECT_EQ(decode_record(longer).error(), DecodeError::kBadLength);
  EXPECT_EQ(decode_header(std::span(s).first(100)).error(), DecodeError::kBadLength);
}

TEST(DiskRecord, AnyFlippedBitIsABadChecksum) {
  const Sector good = encode_record(sample_record());
  for (std::size_t byte = 0; byte < kSectorSize; ++byte) {
    Sector s = good;
    s[byte] ^= static_cast<std::uint8_t>(1u << (byte % 8));
    ASSERT_EQ(decode_record(s).error(), DecodeError::kBadChecksum) << "byte " << byte;
  }
}

TEST(DiskRecord, TornSectorIsABadChecksum) {
  // The first half written, the second half still zero.
  Sector s = encode_record(sample_record());
  std::fill(s.begin() + 256, s.end(), std::uint8_t{0});
  EXPECT_EQ(decode_record(s).error(), DecodeError::kBadChecksum);
}

TEST(DiskRecord, TheOtherKindOfSectorIsBadMagic) {
  EXPECT_EQ(decode_record(encode_header({kVmA})).error(), DecodeError::kBadMagic);
  EXPECT_EQ(decode_header(encode_record(sample_record())).error(), DecodeError::kBadMagic);
  Sector foreign = encode_record(sample_record());
  foreign[0] = 'X';
  reseal(foreign);
  EXPECT_EQ(decode_record(foreign).error(), DecodeError::kBadMagic);
}

TEST(DiskRecord, UnknownVersionIsBadVersion) {
  Sector s = encode_record(sample_record());
  s[4] = 2;
  reseal(s);
  EXPECT_EQ(decode_record(s).error(), DecodeError::kBadVersion);
  Sector h = encode_header({kVmA});
  h[5] = 1;
  reseal(h);
  EXPECT_EQ(decode_header(h).error(), DecodeError::kBadVersion);
}

TEST(DiskRecord, OutOfRangeFieldsAreBadField) {
  const Sector good = encode_record(sample_record());
  const auto field_error = [&](std::size_t at, std::uint8_t value) {
    Sector s = good;
    s[at] = value;
    reseal(s);
    return decode_record(s).error();
  };
  EXPECT_EQ(field_error(6, 1), DecodeError::kBadField);     // reserved
  EXPECT_EQ(field_error(8, 'A'), DecodeError::kBadField);   // VM id not lowercase
  EXPECT_EQ(field_error(8, 'x'), DecodeError::kBadField);   // VM id not hex
  EXPECT_EQ(field_error(16, '0'), DecodeError::kBadField);  // VM id without its dash
  EXPECT_EQ(field_error(100, 1), DecodeError::kBadField);   // padding
  EXPECT_EQ(field_error(507, 1), DecodeError::kBadField);   // last padding byte

  Sector zero_boot = good;
  std::fill(zero_boot.begin() + 44, zero_boot.begin() + 60, std::uint8_t{0});
  reseal(zero_boot);
  EXPECT_EQ(decode_record(zero_boot).error(), DecodeError::kBadField);

  Sector zero_sequence = good;
  std::fill(zero_sequence.begin() + 60, zero_sequence.begin() + 68, std::uint8_t{0});
  reseal(zero_sequence);
  EXPECT_EQ(decode_record(zero_sequence).error(), DecodeError::kBadField);

  Sector header = encode_header({kVmA});
  header[44] = 1;  // a header has nothing after its VM id
  reseal(header);
  EXPECT_EQ(decode_header(header).error(), DecodeError::kBadField);
}

TEST(DiskRecord, ExtremeValuesRoundTrip) {
  DiskRecord record{kVmA, boot_id(255), ~std::uint64_t{0}, 0};
  record.boot.bytes.fill(0xFF);
  const auto decoded = decode_record(encode_record(record));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), record);
}

}  // namespace
}  // namespace poolha::oracle

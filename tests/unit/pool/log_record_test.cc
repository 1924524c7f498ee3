// The record format byte by byte, and every way reading one can fail.
#include <gtest/gtest.h>

#include <variant>

#include "pool/log_record.h"
#include "wire/crc32c.h"

namespace poolha::pool {
namespace {

using Bytes = std::vector<std::uint8_t>;

RecordFault fault_of(const Bytes& bytes, std::uint32_t block_size = 64) {
  const auto r = read_record(bytes, block_size);
  EXPECT_TRUE(std::holds_alternative<RecordFault>(r));
  return std::holds_alternative<RecordFault>(r) ? std::get<RecordFault>(r) : RecordFault::kBlank;
}

TEST(PoolLogRecord, HeaderLayoutIsAsDocumented) {
  const Bytes record = encode_record(RecordKind::kDelta, 0x0102030405060708ull, 0x11, "{}", 64);
  ASSERT_EQ(record.size(), 64u);
  const Bytes header_start = {'P', 'D', 'B',  'L', 1, 0, 2, 0, 8, 7, 6, 5, 4, 3,
                              2,   1,   0x11, 0,   0, 0, 0, 0, 0, 0, 2, 0, 0, 0};
  EXPECT_EQ(Bytes(record.begin(), record.begin() + 28), header_start);
  Bytes covered(record.begin(), record.begin() + 28);
  covered.push_back('{');
  covered.push_back('}');
  const std::uint32_t crc = wire::crc32c(covered);
  EXPECT_EQ(record[28], crc & 0xFF);
  EXPECT_EQ(record[31], crc >> 24);
  EXPECT_EQ(record[32], '{');
  EXPECT_EQ(record[33], '}');
  for (std::size_t i = 34; i < record.size(); ++i) EXPECT_EQ(record[i], 0) << i;
}

TEST(PoolLogRecord, ReadsBackWhatWasWritten) {
  const Bytes record = encode_record(RecordKind::kSnapshot, 9, 9, "payload", 512);
  Bytes area = record;
  area.resize(4096, 0xAB);  // whatever follows does not matter
  const auto r = read_record(area, 512);
  ASSERT_TRUE(std::holds_alternative<RecordView>(r));
  const RecordView& view = std::get<RecordView>(r);
  EXPECT_EQ(view.kind, RecordKind::kSnapshot);
  EXPECT_EQ(view.generation, 9u);
  EXPECT_EQ(view.base, 9u);
  EXPECT_EQ(view.payload, "payload");
  EXPECT_EQ(view.stored_size, 512u);
  EXPECT_EQ(stored_record_size(480, 512), 512u);
  EXPECT_EQ(stored_record_size(481, 512), 1024u);
  EXPECT_EQ(encode_record(RecordKind::kSnapshot, 1, 1, "x", 1).size(), 33u);
}

TEST(PoolLogRecord, EveryFaultIsDetected) {
  const Bytes good = encode_record(RecordKind::kDelta, 5, 3, "{\"op\":\"x\"}", 64);
  EXPECT_EQ(fault_of(Bytes(64, 0)), RecordFault::kBlank);
  EXPECT_EQ(fault_of(Bytes{}), RecordFault::kBlank);
  EXPECT_EQ(fault_of(Bytes(good.begin(), good.begin() + 20)), RecordFault::kTruncated);
  EXPECT_EQ(fault_of(Bytes(good.begin(), good.begin() + 40)), RecordFault::kTruncated);
  auto with = [&](std::size_t at, std::uint8_t value) {
    Bytes b = good;
    b[at] = value;
    return b;
  };
  EXPECT_EQ(fault_of(with(4, 2)), RecordFault::kBadVersion);
  EXPECT_EQ(fault_of(with(6, 3)), RecordFault::kBadField);   // kind
  EXPECT_EQ(fault_of(with(7, 1)), RecordFault::kBadField);   // flags
  EXPECT_EQ(fault_of(with(16, 5)), RecordFault::kBadField);  // base == generation for a delta
  EXPECT_EQ(fault_of(with(6, 1)), RecordFault::kBadField);   // a snapshot with base != generation
  EXPECT_EQ(fault_of(with(24, 200)), RecordFault::kTruncated);
  EXPECT_EQ(fault_of(with(33, 'X')), RecordFault::kBadChecksum);
  EXPECT_EQ(fault_of(with(29, good[29] ^ 1)), RecordFault::kBadChecksum);
  // Padding is not covered: it is never read.
  EXPECT_TRUE(std::holds_alternative<RecordView>(read_record(with(60, 0xFF), 64)));
  // Every single-bit flip in the header or payload is caught.
  for (std::size_t byte = 0; byte < 32 + 10; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      const Bytes flipped = with(byte, static_cast<std::uint8_t>(good[byte] ^ (1u << bit)));
      EXPECT_TRUE(std::holds_alternative<RecordFault>(read_record(flipped, 64)))
          << byte << "." << bit;
    }
  }
}

TEST(PoolLogRecord, EncodingInconsistentGenerationsAborts) {
  EXPECT_DEATH(encode_record(RecordKind::kDelta, 4, 4, "", 64), "generations");
  EXPECT_DEATH(encode_record(RecordKind::kSnapshot, 0, 0, "", 64), "generations");
}

}  // namespace
}  // namespace poolha::pool

#include "wire/crc32c.h"
#include "../../support/bytes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace poolha::wire {
namespace {

using test_support::bytes_of;

// Bit at a time: slow but obviously the definition.
std::uint32_t reference_crc32c(std::span<const std::uint8_t> bytes) {
  std::uint32_t c = 0xFFFFFFFF;
  for (std::uint8_t b : bytes) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78 : c >> 1;
  }
  return ~c;
}

TEST(WireCrc32c, CheckValue) {
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);
}

TEST(WireCrc32c, KnownVectors) {
  EXPECT_EQ(crc32c({}), 0u);
  // 32 zero bytes and 32 0xFF bytes (RFC 3720, B.4).
  std::vector<std::uint8_t> zeros(32, 0x00), ones(32, 0xFF);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
}

TEST(WireCrc32c, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::vector<std::uint8_t> buf(600);
  for (auto& b : buf) b = static_cast<std::uint8_t>(rng());
  for (std::size_t start = 0; start < 8; ++start) {
    for (std::size_t len = 0; start + len <= buf.size(); len += (len < 40 ? 1 : 37)) {
      std::span<const std::uint8_t> s(buf.data() + start, len);
      ASSERT_EQ(crc32c(s), reference_crc32c(s)) << "start " << start << " len " << len;
    }
  }
}

TEST(WireCrc32c, SeedContinuesACrc) {
  std::span<const std::uint8_t> all = bytes_of("The quick brown fox jumps over the lazy dog");
  for (std::size_t cut = 0; cut <= all.size(); ++cut)
    EXPECT_EQ(crc32c(all.subspan(cut), crc32c(all.first(cut))), crc32c(all));
}

}  // namespace
}  // namespace poolha::wire

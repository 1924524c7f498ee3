#include "wire/hmac.h"
#include "../../support/bytes.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace poolha::wire {
namespace {

using test_support::bytes_of;

Mac from_hex(std::string_view hex) {
  Mac m{};
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < m.size(); ++i)
    m[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  return m;
}

TEST(WireHmac, Rfc4231TestCase2) {
  EXPECT_EQ(hmac_sha256(bytes_of("Jefe"), bytes_of("what do ya want for nothing?")),
            from_hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

TEST(WireHmac, EmptyKeyAndData) {
  // HMAC-SHA256 with an empty key over an empty message.
  EXPECT_EQ(hmac_sha256({}, {}),
            from_hex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
}

TEST(WireHmac, MacEqual) {
  const Mac a = hmac_sha256(bytes_of("k"), bytes_of("x"));
  Mac b = a;
  EXPECT_TRUE(mac_equal(a, b));
  b[31] ^= 1;
  EXPECT_FALSE(mac_equal(a, b));
  EXPECT_FALSE(mac_equal(a, std::span<const std::uint8_t>(a).first(31)));
  EXPECT_TRUE(mac_equal({}, {}));
}

}  // namespace
}  // namespace poolha::wire

// ICMP echo encoding and reply recognition.
#include "io/icmp_echo.h"

#include <gtest/gtest.h>

namespace poolha::io {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(InternetChecksum, KnownValue) {
  // RFC 1071's example words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
  const Bytes words{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(words), 0x220d);
  EXPECT_EQ(internet_checksum(Bytes{0xff}), static_cast<std::uint16_t>(~0xff00 & 0xffff));
}

TEST(IcmpEcho, RequestLayoutAndChecksum) {
  const Bytes request = encode_echo_request(0x1234, 0xabcd, Bytes{1, 2, 3});
  ASSERT_EQ(request.size(), 11u);
  EXPECT_EQ(request[0], kIcmpEchoRequest);
  EXPECT_EQ(request[1], 0);
  EXPECT_EQ(request[4], 0x12);
  EXPECT_EQ(request[5], 0x34);
  EXPECT_EQ(request[6], 0xab);
  EXPECT_EQ(request[7], 0xcd);
  EXPECT_EQ(internet_checksum(request), 0);  // a valid checksum sums to zero
}

Bytes as_reply(Bytes message) {
  message[0] = kIcmpEchoReply;
  message[2] = message[3] = 0;
  const std::uint16_t sum = internet_checksum(message);
  message[2] = static_cast<std::uint8_t>(sum >> 8);
  message[3] = static_cast<std::uint8_t>(sum);
  return message;
}

TEST(IcmpEcho, ParsesAReplyWithAndWithoutIpHeader) {
  const Bytes reply = as_reply(encode_echo_request(7, 9, Bytes{5, 6}));
  const auto plain = parse_echo_reply(reply, false);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->identifier, 7);
  EXPECT_EQ(plain->sequence, 9);
  EXPECT_EQ(plain->payload, (Bytes{5, 6}));

  Bytes with_ip(20, 0);
  with_ip[0] = 0x45;  // IPv4, 5 words of header
  with_ip.insert(with_ip.end(), reply.begin(), reply.end());
  const auto raw = parse_echo_reply(with_ip, true);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->sequence, 9);
}

TEST(IcmpEcho, RejectsRequestsCorruptionAndTruncation) {
  const Bytes request = encode_echo_request(7, 9, Bytes{5, 6});
  EXPECT_FALSE(parse_echo_reply(request, false));  // an echo request, not a reply
  Bytes corrupt = as_reply(request);
  corrupt[9] ^= 1;
  EXPECT_FALSE(parse_echo_reply(corrupt, false));
  EXPECT_FALSE(parse_echo_reply(Bytes{0, 0, 0}, false));
  EXPECT_FALSE(parse_echo_reply(as_reply(request), true));  // no IPv4 header where one is due
}

}  // namespace
}  // namespace poolha::io

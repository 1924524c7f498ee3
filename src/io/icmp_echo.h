// ICMP echo request and reply messages (RFC 792) for the isolation probe:
// encoding a request, recognising a reply, and the Internet checksum.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace poolha::io {

inline constexpr std::uint8_t kIcmpEchoReply = 0;
inline constexpr std::uint8_t kIcmpEchoRequest = 8;

// RFC 1071 one's-complement sum of 16-bit words, complemented.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

// An echo request with a valid checksum.
std::vector<std::uint8_t> encode_echo_request(std::uint16_t identifier, std::uint16_t sequence,
                                              std::span<const std::uint8_t> payload);

struct EchoReply {
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  std::vector<std::uint8_t> payload;
};

// The echo reply in `datagram`, or nullopt for anything else (another ICMP
// type, a bad checksum, a truncated message). A raw socket delivers the IPv4
// header first (`with_ip_header`); an ICMP datagram socket does not.
std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> datagram,
                                          bool with_ip_header);

}  // namespace poolha::io

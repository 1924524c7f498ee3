// Byte layout of an echo message: type, code, checksum, identifier,
// sequence (all big-endian), then the payload.
#include "io/icmp_echo.h"

namespace poolha::io {

namespace {

constexpr std::size_t kIcmpHeaderSize = 8;

std::uint16_t read_be16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += read_be16(bytes, i);
  if (bytes.size() % 2 != 0) sum += static_cast<std::uint32_t>(bytes.back()) << 8;
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

std::vector<std::uint8_t> encode_echo_request(std::uint16_t identifier, std::uint16_t sequence,
                                              std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> message(kIcmpHeaderSize + payload.size());
  message[0] = kIcmpEchoRequest;
  message[4] = static_cast<std::uint8_t>(identifier >> 8);
  message[5] = static_cast<std::uint8_t>(identifier);
  message[6] = static_cast<std::uint8_t>(sequence >> 8);
  message[7] = static_cast<std::uint8_t>(sequence);
  for (std::size_t i = 0; i < payload.size(); ++i) message[kIcmpHeaderSize + i] = payload[i];
  const std::uint16_t checksum = internet_checksum(message);
  message[2] = static_cast<std::uint8_t>(checksum >> 8);
  message[3] = static_cast<std::uint8_t>(checksum);
  return message;
}

std::optional<EchoReply> parse_echo_reply(std::span<const std::uint8_t> datagram,
                                          bool with_ip_header) {
  std::span<const std::uint8_t> icmp = datagram;
  if (with_ip_header) {
    if (datagram.empty() || (datagram[0] >> 4) != 4) return std::nullopt;
    const std::size_t header_size = static_cast<std::size_t>(datagram[0] & 0x0F) * 4;
    if (header_size < 20 || datagram.size() < header_size) return std::nullopt;
    icmp = datagram.subspan(header_size);
  }
  if (icmp.size() < kIcmpHeaderSize) return std::nullopt;
  if (icmp[0] != kIcmpEchoReply || icmp[1] != 0) return std::nullopt;
  if (internet_checksum(icmp) != 0) return std::nullopt;
  EchoReply reply;
  reply.identifier = read_be16(icmp, 4);
  reply.sequence = read_be16(icmp, 6);
  reply.payload.assign(icmp.begin() + kIcmpHeaderSize, icmp.end());
  return reply;
}

}  // namespace poolha::io

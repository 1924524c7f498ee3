#include "wire/heartbeat.h"

#include "common/check.h"
#include "wire/byte_io.h"
#include "wire/hmac.h"

namespace poolha::wire {
namespace {

using detail::kHeaderSize;

// generation, sequence, stamp_us, echo.stamp_us (u64 each), incarnation,
// echo.incarnation (u32 each), sender, recipient (u16 each).
constexpr std::size_t kFixedFieldsSize = 4 * 8 + 2 * 4 + 2 * 2;

std::size_t min_heartbeat_size(std::uint16_t host_count) {
  return kHeaderSize + kFixedFieldsSize + detail::min_view_size(host_count) + kHmacSize;
}

}  // namespace

std::size_t max_heartbeat_size(std::uint16_t host_count) {
  return kHeaderSize + kFixedFieldsSize + detail::max_view_size(host_count) + kHmacSize;
}

std::vector<std::uint8_t> encode_heartbeat(const HeartbeatPacket& p, Secret secret) {
  const std::uint16_t n = p.host_count;
  POOLHA_CHECK(detail::valid_host_count(n), "heartbeat host_count out of range");
  POOLHA_CHECK(p.sender < n && p.recipient < n, "heartbeat host index out of range");
  POOLHA_CHECK(p.sender != p.recipient, "heartbeat addressed to its sender");
  POOLHA_CHECK(p.incarnation != 0, "heartbeat incarnation is 0");

  const std::size_t size =
      kHeaderSize + kFixedFieldsSize + detail::view_size(p.view, n) + kHmacSize;
  std::vector<std::uint8_t> out(size);
  detail::Writer w(out);
  detail::put_header(w, kHeartbeatMagic, n, size);
  w.u64(p.generation);
  w.u64(p.sequence);
  w.u64(p.stamp_us);
  w.u64(p.echo.stamp_us);
  w.u32(p.incarnation);
  w.u32(p.echo.incarnation);
  w.u16(p.sender);
  w.u16(p.recipient);
  detail::put_view(w, p.view, n);
  const Mac mac = hmac_sha256(secret, w.written());
  w.bytes(mac);
  POOLHA_CHECK(w.pos() == size, "heartbeat size mismatch");
  return out;
}

Decoded<HeartbeatPacket> decode_heartbeat(std::span<const std::uint8_t> bytes, Secret secret) {
  if (bytes.size() < kHeaderSize) return DecodeError::kTooShort;
  detail::Reader h(bytes.first(kHeaderSize), DecodeError::kTooShort);
  if (h.u32() != kHeartbeatMagic) return DecodeError::kBadMagic;
  if (h.u16() != kWireVersion) return DecodeError::kBadVersion;
  const std::uint16_t n = h.u16();
  if (!detail::valid_host_count(n)) return DecodeError::kBadField;
  const std::uint32_t length = h.u32();
  if (length < min_heartbeat_size(n) || length > max_heartbeat_size(n))
    return DecodeError::kBadLength;
  if (bytes.size() < length) return DecodeError::kTooShort;
  // A datagram is exactly one packet: trailing bytes mean it was not ours.
  if (bytes.size() > length) return DecodeError::kBadLength;

  // Authenticate before interpreting any field.
  const std::size_t mac_at = length - kHmacSize;
  const Mac mac = hmac_sha256(secret, bytes.first(mac_at));
  if (!mac_equal(mac, bytes.subspan(mac_at, kHmacSize))) return DecodeError::kBadMac;

  detail::Reader r(bytes.subspan(kHeaderSize, mac_at - kHeaderSize), DecodeError::kBadLength);
  HeartbeatPacket p;
  p.host_count = n;
  p.generation = r.u64();
  p.sequence = r.u64();
  p.stamp_us = r.u64();
  p.echo.stamp_us = r.u64();
  p.incarnation = r.u32();
  r.require(p.incarnation != 0, DecodeError::kBadField);
  p.echo.incarnation = r.u32();
  p.sender = r.u16();
  p.recipient = r.u16();
  r.require(p.sender < n && p.recipient < n && p.sender != p.recipient, DecodeError::kBadField);
  detail::get_view(r, n, p.view);
  if (auto e = r.error()) return *e;
  if (r.remaining() != 0) return DecodeError::kBadLength;
  return p;
}

}  // namespace poolha::wire

#include "wire/statefile.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "wire/byte_io.h"
#include "wire/crc32c.h"

namespace poolha::wire {
namespace {

using detail::kHeaderSize;
constexpr std::size_t kCrcSize = 4;

// Global: generation, master_epoch (u64), base_timeout_ms, master_incarnation
// (u32), master (u16), pool_state (u8), then host_count UUIDs.
constexpr std::size_t kGlobalFixedSize = 2 * 8 + 2 * 4 + 2 + 1;
constexpr std::uint8_t kPoolStateCount = 4;
// Slot: generation, sequence, stamp_us (u64), incarnation (u32), host (u16),
// then the view and host_count acks.
constexpr std::size_t kSlotFixedSize = 3 * 8 + 4 + 2;
constexpr std::size_t kAckSize = 4 + 8;

std::size_t global_length(std::uint16_t n) {
  return kHeaderSize + kGlobalFixedSize + sizeof(Uuid) * n + kCrcSize;
}
std::size_t slot_overhead(std::uint16_t n) {
  return kHeaderSize + kSlotFixedSize + kAckSize * n + kCrcSize;
}
std::size_t min_slot_length(std::uint16_t n) {
  return slot_overhead(n) + detail::min_view_size(n);
}
std::size_t max_slot_length(std::uint16_t n) {
  return slot_overhead(n) + detail::max_view_size(n);
}

std::size_t round_up(std::size_t v, std::size_t align) {
  return (v + align - 1) / align * align;
}

// Word at a time: never-written regions are common and several KiB long.
bool all_zero(std::span<const std::uint8_t> bytes) {
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 64; n -= 64, p += 64) {
    std::uint64_t any = 0;
    for (std::size_t i = 0; i < 64; i += 8) any |= detail::load_u64(p + i);
    if (any != 0) return false;
  }
  for (; n > 0; --n, ++p)
    if (*p != 0) return false;
  return true;
}

// A region whose header, length and CRC checked out: its host count and the
// bytes between the header and the CRC.
struct Region {
  std::uint16_t host_count = 0;
  std::span<const std::uint8_t> fields;
};

Decoded<Region> open_region(std::span<const std::uint8_t> bytes, std::uint32_t magic,
                            std::size_t (*min_length)(std::uint16_t),
                            std::size_t (*max_length)(std::uint16_t)) {
  if (bytes.empty()) return DecodeError::kTooShort;
  // Only a zero magic can start a never-written region, so only then scan it.
  if ((bytes.size() < 4 || detail::load_u32(bytes.data()) == 0) && all_zero(bytes))
    return DecodeError::kEmpty;
  if (bytes.size() < kHeaderSize) return DecodeError::kTooShort;
  detail::Reader h(bytes.first(kHeaderSize), DecodeError::kTooShort);
  if (h.u32() != magic) return DecodeError::kBadMagic;
  if (h.u16() != kWireVersion) return DecodeError::kBadVersion;
  const std::uint16_t n = h.u16();
  if (!detail::valid_host_count(n)) return DecodeError::kBadField;
  const std::uint32_t length = h.u32();
  if (length < min_length(n) || length > max_length(n)) return DecodeError::kBadLength;
  // Bytes past `length` are the region's padding; they are not covered.
  if (bytes.size() < length) return DecodeError::kTooShort;
  const std::size_t crc_at = length - kCrcSize;
  if (crc32c(bytes.first(crc_at)) != detail::load_u32(bytes.data() + crc_at))
    return DecodeError::kBadChecksum;
  return Region{n, bytes.subspan(kHeaderSize, crc_at - kHeaderSize)};
}

// Closes an encoded region: CRC over everything written so far.
void put_crc(detail::Writer& w) {
  w.u32(crc32c(w.written()));
}

// pick_slot, optionally also requiring the pool size the caller expects.
SlotRead pick(std::span<const std::uint8_t> copy0, std::span<const std::uint8_t> copy1,
              HostIndex host, std::uint16_t expect_host_count) {
  Decoded<HostSlot> d[2] = {decode_slot(copy0), decode_slot(copy1)};
  DecodeError err[2] = {DecodeError::kEmpty, DecodeError::kEmpty};
  bool valid[2] = {false, false};
  for (int i = 0; i < 2; ++i) {
    if (!d[i].ok()) {
      err[i] = d[i].error();
    } else if (d[i].value().host != host ||
               (expect_host_count != 0 && d[i].value().host_count != expect_host_count)) {
      err[i] = DecodeError::kBadField;  // a valid slot, but not this host's
    } else {
      valid[i] = true;
    }
  }
  SlotRead out;
  if (valid[0] || valid[1]) {
    // Copies are written alternately, so the higher sequence is the newer one.
    const int best = !valid[0]   ? 1
                     : !valid[1] ? 0
                                 : (d[1].value().sequence > d[0].value().sequence ? 1 : 0);
    out.slot = std::move(d[best].value());
    return out;
  }
  // An empty copy 0 says less than a damaged copy 1 (a torn first write).
  out.error = err[0] == DecodeError::kEmpty ? err[1] : err[0];
  return out;
}

}  // namespace

StatefileLayout layout_for(std::uint16_t host_count) {
  POOLHA_CHECK(detail::valid_host_count(host_count), "statefile host_count out of range");
  StatefileLayout l;
  l.host_count = host_count;
  l.global_size = round_up(global_length(host_count), kStatefileAlign);
  l.slot_size = round_up(max_slot_length(host_count), kStatefileAlign);
  return l;
}

std::vector<std::uint8_t> encode_global(const GlobalSection& g) {
  const std::uint16_t n = g.host_count;
  const StatefileLayout layout = layout_for(n);
  POOLHA_CHECK(static_cast<std::uint8_t>(g.pool_state) < kPoolStateCount,
               "pool state out of range");
  POOLHA_CHECK(g.master == kNoHost || g.master < n, "global master out of range");
  POOLHA_CHECK(g.host_uuids.size() == n, "host_uuids must hold host_count entries");

  const std::size_t length = global_length(n);
  std::vector<std::uint8_t> out(layout.global_size);  // zero padding included
  detail::Writer w(out);
  detail::put_header(w, kGlobalMagic, n, length);
  w.u64(g.generation);
  w.u64(g.master_epoch);
  w.u32(g.base_timeout_ms);
  w.u32(g.master_incarnation);
  w.u16(g.master);
  w.u8(static_cast<std::uint8_t>(g.pool_state));
  for (const Uuid& u : g.host_uuids) w.bytes(u);
  put_crc(w);
  POOLHA_CHECK(w.pos() == length, "global section size mismatch");
  return out;
}

Decoded<GlobalSection> decode_global(std::span<const std::uint8_t> bytes) {
  Decoded<Region> region = open_region(bytes, kGlobalMagic, global_length, global_length);
  if (!region) return region.error();
  const std::uint16_t n = region.value().host_count;
  detail::Reader r(region.value().fields, DecodeError::kBadLength);
  GlobalSection g;
  g.host_count = n;
  g.generation = r.u64();
  g.master_epoch = r.u64();
  g.base_timeout_ms = r.u32();
  g.master_incarnation = r.u32();
  g.master = r.u16();
  r.require(g.master == kNoHost || g.master < n, DecodeError::kBadField);
  const std::uint8_t state = r.u8();
  if (r.require(state < kPoolStateCount, DecodeError::kBadField))
    g.pool_state = static_cast<PoolState>(state);
  g.host_uuids.resize(n);
  for (Uuid& u : g.host_uuids) {
    std::span<const std::uint8_t> b = r.bytes(u.size());
    std::copy(b.begin(), b.end(), u.begin());
  }
  if (auto e = r.error()) return *e;
  if (r.remaining() != 0) return DecodeError::kBadLength;
  return g;
}

std::vector<std::uint8_t> encode_slot(const HostSlot& s) {
  const std::uint16_t n = s.host_count;
  const StatefileLayout layout = layout_for(n);
  POOLHA_CHECK(s.host < n, "slot host out of range");
  POOLHA_CHECK(s.acks.size() == n, "slot acks must hold host_count entries");

  const std::size_t length = slot_overhead(n) + detail::view_size(s.view, n);
  std::vector<std::uint8_t> out(layout.slot_size);  // zero padding included
  detail::Writer w(out);
  detail::put_header(w, kSlotMagic, n, length);
  w.u64(s.generation);
  w.u64(s.sequence);
  w.u64(s.stamp_us);
  w.u32(s.incarnation);
  w.u16(s.host);
  detail::put_view(w, s.view, n);
  for (const Ack& a : s.acks) {
    w.u32(a.incarnation);
    w.u64(a.stamp_us);
  }
  put_crc(w);
  POOLHA_CHECK(w.pos() == length, "slot size mismatch");
  return out;
}

Decoded<HostSlot> decode_slot(std::span<const std::uint8_t> bytes) {
  Decoded<Region> region = open_region(bytes, kSlotMagic, min_slot_length, max_slot_length);
  if (!region) return region.error();
  const std::uint16_t n = region.value().host_count;
  detail::Reader r(region.value().fields, DecodeError::kBadLength);
  HostSlot s;
  s.host_count = n;
  s.generation = r.u64();
  s.sequence = r.u64();
  s.stamp_us = r.u64();
  s.incarnation = r.u32();
  s.host = r.u16();
  r.require(s.host < n, DecodeError::kBadField);
  detail::get_view(r, n, s.view);
  s.acks.resize(n);
  for (Ack& a : s.acks) {
    a.incarnation = r.u32();
    a.stamp_us = r.u64();
  }
  if (auto e = r.error()) return *e;
  if (r.remaining() != 0) return DecodeError::kBadLength;
  return s;
}

SlotRead pick_slot(std::span<const std::uint8_t> copy0, std::span<const std::uint8_t> copy1,
                   HostIndex host) {
  return pick(copy0, copy1, host, 0);
}

StatefileImage decode_statefile(std::span<const std::uint8_t> bytes, std::uint16_t host_count) {
  StatefileImage image;
  if (!detail::valid_host_count(host_count)) {
    image.global_error = DecodeError::kBadField;
    return image;
  }
  const StatefileLayout layout = layout_for(host_count);
  // The part of a region the buffer holds; empty when it ends before it.
  auto region = [&](std::size_t offset, std::size_t size) {
    if (offset >= bytes.size()) return std::span<const std::uint8_t>();
    return bytes.subspan(offset, std::min(size, bytes.size() - offset));
  };

  Decoded<GlobalSection> g = decode_global(region(0, layout.global_size));
  if (!g.ok()) {
    image.global_error = g.error();
  } else if (g.value().host_count != host_count) {
    image.global_error = DecodeError::kBadField;
  } else {
    image.global = std::move(g.value());
  }

  image.slots.reserve(host_count);
  for (HostIndex h = 0; h < host_count; ++h) {
    image.slots.push_back(pick(region(layout.slot_offset(h, 0), layout.slot_size),
                               region(layout.slot_offset(h, 1), layout.slot_size), h, host_count));
  }
  return image;
}

}  // namespace poolha::wire

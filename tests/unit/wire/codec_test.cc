// Heartbeat and statefile codecs: round trips, corruption, truncation, field
// ranges behind a valid MAC/CRC, the two-copy slot scheme and the layout.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "wire/crc32c.h"
#include "wire/heartbeat.h"
#include "wire/hmac.h"
#include "wire/statefile.h"

namespace poolha::wire {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kHostCounts[] = {1, 2, 3, 64, 256};
const Bytes kSecret = {0x70, 0x6f, 0x6f, 0x6c, 0x68, 0x61, 0x20, 0x6b, 0x65, 0x79};

// ---------------------------------------------------------------------------
// Samples with every field set to something distinguishable.

Membership sample_membership(std::uint16_t n, std::uint64_t epoch, std::uint32_t salt) {
  Membership m;
  m.epoch = epoch;
  for (HostIndex h = 0; h < n; ++h) {
    if ((h * 7u + salt) % 3u != 0 || h + 1 == n) {
      m.members.insert(h);
      m.incarnation[h] = 1000 + h * 13u + salt;
    }
  }
  m.master = m.members.lowest();
  return m;
}

// Every host a member; the largest encoding for the pool size.
Membership full_membership(std::uint16_t n, std::uint64_t epoch) {
  Membership m;
  m.epoch = epoch;
  m.members = HostSet::first_n(n);
  for (HostIndex h = 0; h < n; ++h) m.incarnation[h] = 0xFFFFFFF0u - h;
  m.master = static_cast<HostIndex>(n - 1);
  return m;
}

View sample_view(std::uint16_t n) {
  View v;
  v.phase = Phase::kMember;
  v.flags = kKnownFlags;
  v.weight = 0xA1B2C3D4;
  v.current = sample_membership(n, 41, 1);
  v.announced_epoch = 0x1122334455667788;
  for (HostIndex h = 0; h < n; h += 2) v.hb_domain.insert(h);
  v.hb_domain.insert(static_cast<HostIndex>(n - 1));
  v.sf_domain = HostSet::first_n(n);
  if (n > 1) v.sf_domain.erase(0);
  v.has_proposal = true;
  v.proposal_committed = true;
  v.proposal = sample_membership(n, 42, 2);
  v.proposal.master = kNoHost;
  return v;
}

HeartbeatPacket sample_packet(std::uint16_t n) {
  HeartbeatPacket p;
  p.generation = 0x0102030405060708;
  p.host_count = n;
  p.sender = static_cast<HostIndex>(n - 1);
  p.recipient = 0;
  p.incarnation = 77;
  p.sequence = 0xDEADBEEFCAFE;
  p.stamp_us = 123456789012;
  p.echo = {5, 987654321};
  p.view = sample_view(n);
  return p;
}

GlobalSection sample_global(std::uint16_t n) {
  GlobalSection g;
  g.generation = 9;
  g.pool_state = PoolState::kActive;
  g.host_count = n;
  g.base_timeout_ms = 30000;
  g.master = static_cast<HostIndex>(n - 1);
  g.master_incarnation = 12;
  g.master_epoch = 0x0A0B0C0D0E0F;
  for (std::uint16_t h = 0; h < n; ++h) {
    Uuid u{};
    for (std::size_t i = 0; i < u.size(); ++i) u[i] = static_cast<std::uint8_t>(h * 31 + i);
    u[0] = static_cast<std::uint8_t>(h >> 8);
    u[1] = static_cast<std::uint8_t>(h);
    g.host_uuids.push_back(u);
  }
  return g;
}

HostSlot sample_slot(std::uint16_t n, HostIndex host, std::uint64_t sequence) {
  HostSlot s;
  s.generation = 9;
  s.host_count = n;
  s.host = host;
  s.incarnation = 3;
  s.sequence = sequence;
  s.stamp_us = 1'000'000 + sequence;
  s.view = sample_view(n);
  for (std::uint16_t h = 0; h < n; ++h)
    s.acks.push_back({h % 5 == 0 ? 0u : h + 1u, (std::uint64_t{h} << 40) | (sequence + h)});
  return s;
}

// The error of a failed decode, or nothing when it succeeded.
template <typename T>
std::optional<DecodeError> error_of(const Decoded<T>& d) {
  if (d.ok()) return std::nullopt;
  return d.error();
}

// ---------------------------------------------------------------------------
// Comparisons (a Membership carries no incarnation for non-members).

void expect_same_membership(const Membership& a, const Membership& b) {
  EXPECT_TRUE(a.same_as(b)) << a.members.to_string() << " vs " << b.members.to_string();
}

void expect_same_view(const View& a, const View& b) {
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.weight, b.weight);
  expect_same_membership(a.current, b.current);
  EXPECT_EQ(a.announced_epoch, b.announced_epoch);
  EXPECT_EQ(a.hb_domain, b.hb_domain);
  EXPECT_EQ(a.sf_domain, b.sf_domain);
  EXPECT_EQ(a.has_proposal, b.has_proposal);
  EXPECT_EQ(a.proposal_committed, b.proposal_committed);
  expect_same_membership(a.proposal, b.proposal);
}

void expect_same_slot(const HostSlot& a, const HostSlot& b) {
  EXPECT_EQ(a.generation, b.generation);
  EXPECT_EQ(a.host_count, b.host_count);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.incarnation, b.incarnation);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.stamp_us, b.stamp_us);
  expect_same_view(a.view, b.view);
  EXPECT_EQ(a.acks, b.acks);
}

// ---------------------------------------------------------------------------
// Byte patching behind a valid MAC or CRC, so range checks are what rejects.

constexpr std::size_t kLengthAt = 8;

std::uint32_t get_u32(const Bytes& b, std::size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) |
         (static_cast<std::uint32_t>(b[at + 3]) << 24);
}
void put_u16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put_u32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void resign(Bytes& b, const Bytes& secret = kSecret) {
  const std::size_t at = b.size() - kHmacSize;
  const Mac mac = hmac_sha256(secret, std::span<const std::uint8_t>(b).first(at));
  std::copy(mac.begin(), mac.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
}

void recrc(Bytes& b) {
  const std::size_t at = get_u32(b, kLengthAt) - 4;
  put_u32(b, at, crc32c(std::span<const std::uint8_t>(b).first(at)));
}

std::size_t set_bytes(std::uint16_t n) {
  return (n + 7u) / 8u;
}

// Offsets fixed by docs/wire-format.md.
constexpr std::size_t kHbIncarnation = 44, kHbSender = 52, kHbRecipient = 54, kHbView = 56;
constexpr std::size_t kSlotHost = 40, kSlotView = 42;
constexpr std::size_t kGlobalMaster = 36, kGlobalPoolState = 38;
// Within a view: phase, proposal bits, flags, weight, announced epoch, then
// hb_domain, sf_domain, current membership (epoch, members, master, ...).
constexpr std::size_t kViewBits = 1, kViewFlags = 2, kViewHbDomain = 16;
std::size_t view_current_master(std::uint16_t n) {
  return kViewHbDomain + 3 * set_bytes(n) + 8;
}

// ---------------------------------------------------------------------------
// Heartbeat

TEST(WireHeartbeat, RoundTrip) {
  for (std::uint16_t n : kHostCounts) {
    if (n < 2) continue;  // a one-host pool has nobody to send to
    SCOPED_TRACE(n);
    const HeartbeatPacket p = sample_packet(n);
    const Bytes b = encode_heartbeat(p, kSecret);
    EXPECT_LE(b.size(), max_heartbeat_size(n));
    auto d = decode_heartbeat(b, kSecret);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    const HeartbeatPacket& q = d.value();
    EXPECT_EQ(q.generation, p.generation);
    EXPECT_EQ(q.host_count, n);
    EXPECT_EQ(q.sender, p.sender);
    EXPECT_EQ(q.recipient, p.recipient);
    EXPECT_EQ(q.incarnation, p.incarnation);
    EXPECT_EQ(q.sequence, p.sequence);
    EXPECT_EQ(q.stamp_us, p.stamp_us);
    EXPECT_EQ(q.echo, p.echo);
    expect_same_view(q.view, p.view);
    EXPECT_EQ(encode_heartbeat(q, kSecret), b);
  }
}

TEST(WireHeartbeat, DefaultViewAndEmptySecretRoundTrip) {
  HeartbeatPacket p;
  p.host_count = 2;
  p.sender = 1;
  p.incarnation = 1;
  const Bytes b = encode_heartbeat(p, {});
  auto d = decode_heartbeat(b, {});
  ASSERT_TRUE(d.ok());
  expect_same_view(d.value().view, View{});
  EXPECT_EQ(error_of(decode_heartbeat(b, kSecret)), DecodeError::kBadMac);
}

TEST(WireHeartbeat, LittleEndianLayout) {
  const Bytes b = encode_heartbeat(sample_packet(3), kSecret);
  EXPECT_EQ(Bytes(b.begin(), b.begin() + 4), (Bytes{'P', 'H', 'H', 'B'}));
  EXPECT_EQ(b[4], kWireVersion & 0xFF);
  EXPECT_EQ(b[5], kWireVersion >> 8);
  EXPECT_EQ(b[6], 3);
  EXPECT_EQ(b[7], 0);
  EXPECT_EQ(get_u32(b, kLengthAt), b.size());
  EXPECT_EQ(Bytes(b.begin() + 12, b.begin() + 20), (Bytes{8, 7, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(b[kHbSender], 2);
  EXPECT_EQ(get_u32(b, kHbIncarnation), 77u);
}

TEST(WireHeartbeat, MaxSizeBoundsTheLargestPacket) {
  for (std::uint16_t n : kHostCounts) {
    if (n < 2) continue;
    HeartbeatPacket p = sample_packet(n);
    p.view.current = full_membership(n, 1);
    p.view.proposal = full_membership(n, 2);
    EXPECT_EQ(encode_heartbeat(p, kSecret).size(), max_heartbeat_size(n));
  }
}

TEST(WireHeartbeat, EveryByteCorruptionIsRejected) {
  for (std::uint16_t n : {std::uint16_t{2}, std::uint16_t{3}, std::uint16_t{64}}) {
    const Bytes good = encode_heartbeat(sample_packet(n), kSecret);
    for (std::size_t i = 0; i < good.size(); ++i) {
      for (std::uint8_t mask : {0x01, 0x80, 0xFF}) {
        Bytes b = good;
        b[i] ^= mask;
        ASSERT_FALSE(decode_heartbeat(b, kSecret).ok()) << "n " << n << " byte " << i;
      }
    }
  }
}

TEST(WireHeartbeat, EveryTruncationIsRejected) {
  const Bytes good = encode_heartbeat(sample_packet(64), kSecret);
  for (std::size_t len = 0; len < good.size(); ++len) {
    auto d = decode_heartbeat(std::span<const std::uint8_t>(good).first(len), kSecret);
    ASSERT_FALSE(d.ok()) << len;
    EXPECT_EQ(d.error(), DecodeError::kTooShort) << len;
  }
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(error_of(decode_heartbeat(longer, kSecret)), DecodeError::kBadLength);
}

TEST(WireHeartbeat, WrongSecretIsRejected) {
  const Bytes b = encode_heartbeat(sample_packet(3), kSecret);
  Bytes other = kSecret;
  other.back() ^= 1;
  EXPECT_EQ(error_of(decode_heartbeat(b, other)), DecodeError::kBadMac);
  EXPECT_EQ(error_of(decode_heartbeat(b, {})), DecodeError::kBadMac);
}

TEST(WireHeartbeat, HeaderErrors) {
  const Bytes good = encode_heartbeat(sample_packet(3), kSecret);
  auto decode_patched = [&](std::size_t at, std::uint32_t v, int width) {
    Bytes b = good;
    if (width == 2)
      put_u16(b, at, static_cast<std::uint16_t>(v));
    else
      put_u32(b, at, v);
    resign(b);
    return error_of(decode_heartbeat(b, kSecret));
  };
  EXPECT_EQ(decode_patched(0, kSlotMagic, 4), DecodeError::kBadMagic);
  EXPECT_EQ(decode_patched(4, kWireVersion + 1, 2), DecodeError::kBadVersion);
  EXPECT_EQ(decode_patched(6, 0, 2), DecodeError::kBadField);
  EXPECT_EQ(decode_patched(6, 257, 2), DecodeError::kBadField);
  EXPECT_EQ(decode_patched(kLengthAt, static_cast<std::uint32_t>(good.size() - 1), 4),
            DecodeError::kBadLength);
  EXPECT_EQ(decode_patched(kLengthAt, static_cast<std::uint32_t>(good.size() + 4), 4),
            DecodeError::kTooShort);
  EXPECT_EQ(decode_patched(kLengthAt, 0xFFFFFFFF, 4), DecodeError::kBadLength);
  EXPECT_EQ(decode_patched(kLengthAt, 0, 4), DecodeError::kBadLength);
}

TEST(WireHeartbeat, OutOfRangeFieldsAreRejectedBehindAValidMac) {
  for (std::uint16_t n : {std::uint16_t{3}, std::uint16_t{61}, std::uint16_t{256}}) {
    SCOPED_TRACE(n);
    const Bytes good = encode_heartbeat(sample_packet(n), kSecret);
    {
      Bytes b = good;
      resign(b);
      ASSERT_TRUE(decode_heartbeat(b, kSecret).ok());  // the helper itself is sound
    }
    auto expect_bad_field = [&](auto patch) {
      Bytes b = good;
      patch(b);
      resign(b);
      auto d = decode_heartbeat(b, kSecret);
      ASSERT_FALSE(d.ok());
      EXPECT_EQ(d.error(), DecodeError::kBadField);
    };
    expect_bad_field([&](Bytes& b) { put_u16(b, kHbSender, n); });
    expect_bad_field([&](Bytes& b) { put_u16(b, kHbRecipient, n); });
    expect_bad_field([&](Bytes& b) { put_u16(b, kHbRecipient, kNoHost); });
    expect_bad_field(
        [&](Bytes& b) { put_u16(b, kHbRecipient, static_cast<std::uint16_t>(n - 1)); });
    expect_bad_field([&](Bytes& b) { put_u32(b, kHbIncarnation, 0); });
    expect_bad_field([&](Bytes& b) { b[kHbView] = kPhaseCount; });
    expect_bad_field([&](Bytes& b) { b[kHbView + kViewBits] |= 0x04; });
    expect_bad_field([&](Bytes& b) { put_u16(b, kHbView + kViewFlags, kKnownFlags + 1); });
    expect_bad_field([&](Bytes& b) { put_u16(b, kHbView + view_current_master(n), n); });
    if (n % 8 != 0) {
      // A bit at index host_count in the last byte of hb_domain.
      expect_bad_field([&](Bytes& b) {
        b[kHbView + kViewHbDomain + n / 8] |= static_cast<std::uint8_t>(1u << (n % 8));
      });
    }
  }
}

TEST(WireHeartbeat, NoMasterIsAccepted) {
  HeartbeatPacket p = sample_packet(3);
  p.view.current.master = kNoHost;
  auto d = decode_heartbeat(encode_heartbeat(p, kSecret), kSecret);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().view.current.master, kNoHost);
}

TEST(WireHeartbeatDeathTest, EncoderRefusesInvalidPackets) {
  HeartbeatPacket p = sample_packet(3);
  p.recipient = p.sender;
  EXPECT_DEATH(encode_heartbeat(p, kSecret), "addressed to its sender");
  p = sample_packet(3);
  p.view.hb_domain.insert(3);
  EXPECT_DEATH(encode_heartbeat(p, kSecret), "beyond host_count");
}

// ---------------------------------------------------------------------------
// Statefile

TEST(WireStatefile, LayoutIsAlignedAndDisjoint) {
  for (std::uint16_t n = 1; n <= kMaxHosts; ++n) {
    const StatefileLayout l = layout_for(n);
    ASSERT_EQ(l.host_count, n);
    ASSERT_GT(l.global_size, 0u);
    ASSERT_GT(l.slot_size, 0u);
    ASSERT_EQ(l.global_size % kStatefileAlign, 0u);
    ASSERT_EQ(l.slot_size % kStatefileAlign, 0u);
    std::size_t end = l.global_size;
    for (HostIndex h = 0; h < n; ++h) {
      for (int c = 0; c < 2; ++c) {
        ASSERT_EQ(l.slot_offset(h, c), end) << n << " " << h << " " << c;
        ASSERT_EQ(l.slot_offset(h, c) % kStatefileAlign, 0u);
        end += l.slot_size;
      }
    }
    ASSERT_EQ(end, l.total_size());
  }
}

TEST(WireStatefile, LargestEncodingsFitTheLayout) {
  for (std::uint16_t n : kHostCounts) {
    const StatefileLayout l = layout_for(n);
    HostSlot s = sample_slot(n, 0, 1);
    s.view.current = full_membership(n, 1);
    s.view.proposal = full_membership(n, 2);
    const Bytes b = encode_slot(s);
    EXPECT_EQ(b.size(), l.slot_size);
    EXPECT_LE(get_u32(b, kLengthAt), l.slot_size);
    EXPECT_TRUE(decode_slot(b).ok());
    EXPECT_EQ(encode_global(sample_global(n)).size(), l.global_size);
  }
}

TEST(WireStatefile, GlobalRoundTrip) {
  for (std::uint16_t n : kHostCounts) {
    SCOPED_TRACE(n);
    const GlobalSection g = sample_global(n);
    const Bytes b = encode_global(g);
    EXPECT_EQ(b.size(), layout_for(n).global_size);
    EXPECT_EQ(Bytes(b.begin(), b.begin() + 4), (Bytes{'P', 'S', 'G', 'L'}));
    auto d = decode_global(b);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    const GlobalSection& q = d.value();
    EXPECT_EQ(q.generation, g.generation);
    EXPECT_EQ(q.pool_state, g.pool_state);
    EXPECT_EQ(q.host_count, g.host_count);
    EXPECT_EQ(q.base_timeout_ms, g.base_timeout_ms);
    EXPECT_EQ(q.master, g.master);
    EXPECT_EQ(q.master_incarnation, g.master_incarnation);
    EXPECT_EQ(q.master_epoch, g.master_epoch);
    EXPECT_EQ(q.host_uuids, g.host_uuids);
    EXPECT_EQ(encode_global(q), b);
  }
}

TEST(WireStatefile, SlotRoundTrip) {
  for (std::uint16_t n : kHostCounts) {
    SCOPED_TRACE(n);
    const HostSlot s = sample_slot(n, static_cast<HostIndex>(n / 2), 1234);
    const Bytes b = encode_slot(s);
    EXPECT_EQ(b.size(), layout_for(n).slot_size);
    EXPECT_EQ(Bytes(b.begin(), b.begin() + 4), (Bytes{'P', 'S', 'S', 'T'}));
    auto d = decode_slot(b);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    expect_same_slot(d.value(), s);
    EXPECT_EQ(encode_slot(d.value()), b);
  }
}

TEST(WireStatefile, AllZeroIsEmpty) {
  const Bytes zeros(layout_for(3).slot_size, 0);
  EXPECT_EQ(error_of(decode_slot(zeros)), DecodeError::kEmpty);
  EXPECT_EQ(error_of(decode_global(zeros)), DecodeError::kEmpty);
  EXPECT_EQ(error_of(decode_slot({})), DecodeError::kTooShort);
  Bytes almost = zeros;
  almost.back() = 1;
  EXPECT_EQ(error_of(decode_slot(almost)), DecodeError::kBadMagic);
}

TEST(WireStatefile, EveryByteCorruptionOfTheCoveredBytesIsRejected) {
  for (std::uint16_t n : {std::uint16_t{1}, std::uint16_t{3}, std::uint16_t{64}}) {
    const Bytes slot = encode_slot(sample_slot(n, 0, 8));
    const Bytes global = encode_global(sample_global(n));
    for (const Bytes* good : {&slot, &global}) {
      const std::size_t length = get_u32(*good, kLengthAt);
      for (std::size_t i = 0; i < length; ++i) {
        for (std::uint8_t mask : {0x01, 0x80, 0xFF}) {
          Bytes b = *good;
          b[i] ^= mask;
          const bool ok = good == &slot ? decode_slot(b).ok() : decode_global(b).ok();
          ASSERT_FALSE(ok) << "n " << n << " byte " << i;
        }
      }
    }
  }
}

TEST(WireStatefile, EveryTruncationOfTheCoveredBytesIsRejected) {
  const Bytes slot = encode_slot(sample_slot(64, 5, 8));
  const Bytes global = encode_global(sample_global(64));
  for (const Bytes* good : {&slot, &global}) {
    const std::size_t length = get_u32(*good, kLengthAt);
    for (std::size_t len = 0; len < length; ++len) {
      std::span<const std::uint8_t> part = std::span<const std::uint8_t>(*good).first(len);
      const bool ok = good == &slot ? decode_slot(part).ok() : decode_global(part).ok();
      ASSERT_FALSE(ok) << len;
    }
    // The zero padding after `length` is not needed.
    std::span<const std::uint8_t> exact = std::span<const std::uint8_t>(*good).first(length);
    EXPECT_TRUE(good == &slot ? decode_slot(exact).ok() : decode_global(exact).ok());
  }
}

TEST(WireStatefile, HeaderErrors) {
  const Bytes good = encode_slot(sample_slot(3, 1, 2));
  Bytes b = good;
  put_u32(b, 0, kGlobalMagic);
  EXPECT_EQ(error_of(decode_slot(b)), DecodeError::kBadMagic);
  b = good;
  put_u16(b, 4, 0);
  EXPECT_EQ(error_of(decode_slot(b)), DecodeError::kBadVersion);
  b = good;
  put_u32(b, kLengthAt, 0xFFFFFFF0);
  EXPECT_EQ(error_of(decode_slot(b)), DecodeError::kBadLength);
  b = good;
  put_u32(b, kLengthAt, 20);  // shorter than any valid slot
  EXPECT_EQ(error_of(decode_slot(b)), DecodeError::kBadLength);
  b = good;
  b[20] ^= 1;  // sequence
  EXPECT_EQ(error_of(decode_slot(b)), DecodeError::kBadChecksum);
  // Claims one more membership entry than it holds: consistent CRC, bad length.
  b = good;
  put_u32(b, kLengthAt, get_u32(good, kLengthAt) + 4);
  recrc(b);
  EXPECT_EQ(error_of(decode_slot(b)), DecodeError::kBadLength);
  // The global section has exactly one valid length per host count.
  b = encode_global(sample_global(3));
  put_u16(b, 6, 4);
  recrc(b);
  EXPECT_EQ(error_of(decode_global(b)), DecodeError::kBadLength);
}

TEST(WireStatefile, OutOfRangeFieldsAreRejectedBehindAValidCrc) {
  for (std::uint16_t n : {std::uint16_t{3}, std::uint16_t{61}, std::uint16_t{256}}) {
    SCOPED_TRACE(n);
    const Bytes slot = encode_slot(sample_slot(n, 1, 2));
    const Bytes global = encode_global(sample_global(n));
    auto expect_bad_field = [&](const Bytes& good, auto patch) {
      Bytes b = good;
      patch(b);
      recrc(b);
      const auto e = &good == &slot ? error_of(decode_slot(b)) : error_of(decode_global(b));
      EXPECT_EQ(e, DecodeError::kBadField);
    };
    expect_bad_field(slot, [&](Bytes& b) { put_u16(b, 6, 0); });
    expect_bad_field(slot, [&](Bytes& b) { put_u16(b, 6, 300); });
    expect_bad_field(slot, [&](Bytes& b) { put_u16(b, kSlotHost, n); });
    expect_bad_field(slot, [&](Bytes& b) { b[kSlotView] = 0xFF; });
    expect_bad_field(slot, [&](Bytes& b) { b[kSlotView + kViewBits] = 0x80; });
    expect_bad_field(slot, [&](Bytes& b) { put_u16(b, kSlotView + kViewFlags, 0x8000); });
    expect_bad_field(slot, [&](Bytes& b) { put_u16(b, kSlotView + view_current_master(n), n); });
    if (n % 8 != 0) {
      // A bit past the pool in the last byte of sf_domain.
      expect_bad_field(
          slot, [&](Bytes& b) { b[kSlotView + kViewHbDomain + set_bytes(n) + n / 8] |= 0x80; });
    }
    expect_bad_field(global, [&](Bytes& b) { put_u16(b, kGlobalMaster, n); });
    expect_bad_field(global, [&](Bytes& b) { b[kGlobalPoolState] = 4; });
    expect_bad_field(global, [&](Bytes& b) { put_u16(b, 6, 0); });
  }
}

TEST(WireStatefile, GlobalWithoutMaster) {
  GlobalSection g = sample_global(2);
  g.master = kNoHost;
  g.pool_state = PoolState::kInvalid;
  auto d = decode_global(encode_global(g));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().master, kNoHost);
  EXPECT_EQ(d.value().pool_state, PoolState::kInvalid);
}

TEST(WireStatefileDeathTest, EncoderRefusesInvalidSlots) {
  HostSlot s = sample_slot(3, 1, 2);
  s.acks.pop_back();
  EXPECT_DEATH(encode_slot(s), "acks");
  GlobalSection g = sample_global(3);
  g.host_uuids.push_back({});
  EXPECT_DEATH(encode_global(g), "host_uuids");
}

// ---------------------------------------------------------------------------
// Two copies per slot

TEST(WirePickSlot, NewerValidCopyWins) {
  const Bytes s10 = encode_slot(sample_slot(3, 2, 10));
  const Bytes s11 = encode_slot(sample_slot(3, 2, 11));
  SlotRead r = pick_slot(s10, s11, 2);
  ASSERT_TRUE(r.slot);
  EXPECT_EQ(r.slot->sequence, 11u);
  r = pick_slot(s11, s10, 2);  // whichever copy holds it
  ASSERT_TRUE(r.slot);
  EXPECT_EQ(r.slot->sequence, 11u);
}

TEST(WirePickSlot, TornCopyFallsBackToTheOther) {
  for (std::uint16_t n : {std::uint16_t{3}, std::uint16_t{256}}) {
    const Bytes s10 = encode_slot(sample_slot(n, 2, 10));
    Bytes torn = encode_slot(sample_slot(n, 2, 11));
    const Bytes other = encode_slot(sample_slot(n, 1, 99));
    // The first half of the region reached the disk, the rest is stale.
    std::copy(other.begin() + static_cast<std::ptrdiff_t>(torn.size() / 2), other.end(),
              torn.begin() + static_cast<std::ptrdiff_t>(torn.size() / 2));
    const std::size_t length = get_u32(torn, kLengthAt);
    // And a tear within the covered bytes, for slots smaller than half a region.
    for (std::size_t i = length / 2; i < length; ++i) torn[i] = other[i] ^ 0x5A;
    EXPECT_EQ(error_of(decode_slot(torn)), DecodeError::kBadChecksum);
    SlotRead r = pick_slot(torn, s10, 2);
    ASSERT_TRUE(r.slot);
    EXPECT_EQ(r.slot->sequence, 10u);
    r = pick_slot(s10, torn, 2);
    ASSERT_TRUE(r.slot);
    EXPECT_EQ(r.slot->sequence, 10u);
  }
}

TEST(WirePickSlot, AnotherHostsSlotIsNotValid) {
  const Bytes mine = encode_slot(sample_slot(3, 2, 10));
  const Bytes theirs = encode_slot(sample_slot(3, 1, 50));
  SlotRead r = pick_slot(mine, theirs, 2);
  ASSERT_TRUE(r.slot);
  EXPECT_EQ(r.slot->sequence, 10u);
  r = pick_slot(theirs, theirs, 2);
  EXPECT_FALSE(r.slot);
  EXPECT_EQ(r.error, DecodeError::kBadField);
}

TEST(WirePickSlot, ErrorsWhenNeitherCopyIsValid) {
  const Bytes zeros(layout_for(3).slot_size, 0);
  Bytes bad = encode_slot(sample_slot(3, 0, 1));
  bad[30] ^= 1;
  SlotRead r = pick_slot(zeros, zeros, 0);
  EXPECT_FALSE(r.slot);
  EXPECT_EQ(r.error, DecodeError::kEmpty);
  r = pick_slot(bad, zeros, 0);
  EXPECT_EQ(r.error, DecodeError::kBadChecksum);
  r = pick_slot(zeros, bad, 0);  // an empty copy 0 gives way to copy 1's error
  EXPECT_EQ(r.error, DecodeError::kBadChecksum);
  r = pick_slot({}, {}, 0);
  EXPECT_EQ(r.error, DecodeError::kTooShort);
}

// ---------------------------------------------------------------------------
// Whole images

Bytes make_image(std::uint16_t n) {
  const StatefileLayout l = layout_for(n);
  Bytes image(l.total_size(), 0);
  auto put = [&](std::size_t offset, const Bytes& region) {
    std::copy(region.begin(), region.end(), image.begin() + static_cast<std::ptrdiff_t>(offset));
  };
  put(0, encode_global(sample_global(n)));
  for (HostIndex h = 0; h < n; ++h) {
    // Host h has written 2h+1 times; the last two writes are in its copies.
    const std::uint64_t last = 2u * h + 1;
    put(l.slot_offset(h, slot_copy_for(last)), encode_slot(sample_slot(n, h, last)));
    if (last > 1)
      put(l.slot_offset(h, slot_copy_for(last - 1)), encode_slot(sample_slot(n, h, last - 1)));
  }
  return image;
}

TEST(WireStatefileImage, DecodesEveryRegion) {
  for (std::uint16_t n : kHostCounts) {
    SCOPED_TRACE(n);
    const Bytes image = make_image(n);
    const StatefileImage d = decode_statefile(image, n);
    ASSERT_TRUE(d.global);
    EXPECT_EQ(d.global->host_uuids, sample_global(n).host_uuids);
    ASSERT_EQ(d.slots.size(), n);
    for (HostIndex h = 0; h < n; ++h) {
      ASSERT_TRUE(d.slots[h].slot) << h;
      expect_same_slot(*d.slots[h].slot, sample_slot(n, h, 2u * h + 1));
    }
  }
}

TEST(WireStatefileImage, MissingAndDamagedRegions) {
  const std::uint16_t n = 3;
  const StatefileLayout l = layout_for(n);
  Bytes image = make_image(n);
  // Host 1: tear its newer copy (sequence 3, copy 1).
  image[l.slot_offset(1, 1) + 25] ^= 0xFF;
  // Host 0: never written.
  std::fill(image.begin() + static_cast<std::ptrdiff_t>(l.slot_offset(0, 0)),
            image.begin() + static_cast<std::ptrdiff_t>(l.slot_offset(1, 0)), 0);
  // Host 2: the read stops inside copy 0, before copy 1.
  image.resize(l.slot_offset(2, 0) + 100);

  const StatefileImage d = decode_statefile(image, n);
  ASSERT_TRUE(d.global);
  ASSERT_EQ(d.slots.size(), n);
  EXPECT_FALSE(d.slots[0].slot);
  EXPECT_EQ(d.slots[0].error, DecodeError::kEmpty);
  ASSERT_TRUE(d.slots[1].slot);
  EXPECT_EQ(d.slots[1].slot->sequence, 2u);
  EXPECT_FALSE(d.slots[2].slot);
  EXPECT_EQ(d.slots[2].error, DecodeError::kTooShort);

  const StatefileImage none = decode_statefile({}, n);
  EXPECT_FALSE(none.global);
  EXPECT_EQ(none.global_error, DecodeError::kTooShort);
  ASSERT_EQ(none.slots.size(), n);
  for (const SlotRead& s : none.slots) EXPECT_EQ(s.error, DecodeError::kTooShort);
}

TEST(WireStatefileImage, HostCountMismatchIsABadField) {
  // 2 and 3 hosts share one layout, so the regions line up but disagree.
  ASSERT_EQ(layout_for(2).slot_size, layout_for(3).slot_size);
  ASSERT_EQ(layout_for(2).global_size, layout_for(3).global_size);
  const StatefileImage d = decode_statefile(make_image(3), 2);
  EXPECT_FALSE(d.global);
  EXPECT_EQ(d.global_error, DecodeError::kBadField);
  ASSERT_EQ(d.slots.size(), 2u);
  for (const SlotRead& s : d.slots) {
    EXPECT_FALSE(s.slot);
    EXPECT_EQ(s.error, DecodeError::kBadField);
  }
}

TEST(WireStatefileImage, InvalidHostCount) {
  const Bytes image = make_image(1);
  for (std::uint16_t n : {std::uint16_t{0}, std::uint16_t{257}}) {
    const StatefileImage d = decode_statefile(image, n);
    EXPECT_FALSE(d.global);
    EXPECT_EQ(d.global_error, DecodeError::kBadField);
    EXPECT_TRUE(d.slots.empty());
  }
}

TEST(WireDecodeError, Names) {
  EXPECT_EQ(to_string(DecodeError::kBadMac), "bad MAC");
  EXPECT_EQ(to_string(DecodeError::kEmpty), "empty");
}

}  // namespace
}  // namespace poolha::wire

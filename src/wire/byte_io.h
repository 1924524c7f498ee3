// Internal to the wire codecs: a little-endian writer, a bounds-checked
// reader, the common header, and the encoding of host sets, memberships and
// views that heartbeats and slots share. Integers go out byte by byte so the
// format never depends on the host's endianness, struct padding or alignment.
// docs/wire-format.md describes the resulting bytes.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/check.h"
#include "common/host_set.h"
#include "wire/decode_error.h"
#include "wire/view.h"

namespace poolha::wire::detail {

inline std::uint16_t load_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t load_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
inline std::uint64_t load_u64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(load_u32(p)) |
         (static_cast<std::uint64_t>(load_u32(p + 4)) << 32);
}
inline void store_u16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
// Spelled out byte by byte; compilers merge these into single stores.
inline void store_u32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
  p[3] = static_cast<std::uint8_t>(v >> 24);
}
inline void store_u64(std::uint8_t* p, std::uint64_t v) {
  store_u32(p, static_cast<std::uint32_t>(v));
  store_u32(p + 4, static_cast<std::uint32_t>(v >> 32));
}

// Writes into a buffer the encoder has already sized exactly; running past its
// end is an encoder bug, hence a check rather than an error.
class Writer {
 public:
  explicit Writer(std::span<std::uint8_t> out) : out_(out) {}

  void u8(std::uint8_t v) { *take(1) = v; }
  void u16(std::uint16_t v) { store_u16(take(2), v); }
  void u32(std::uint32_t v) { store_u32(take(4), v); }
  void u64(std::uint64_t v) { store_u64(take(8), v); }
  void bytes(std::span<const std::uint8_t> b) {
    std::uint8_t* p = take(b.size());
    for (std::uint8_t v : b) *p++ = v;
  }
  // Space to fill in place (bit sets, MACs); returned zeroed only if the
  // buffer was.
  std::span<std::uint8_t> reserve(std::size_t n) { return {take(n), n}; }

  std::size_t pos() const { return pos_; }
  std::span<const std::uint8_t> written() const { return out_.first(pos_); }

 private:
  std::uint8_t* take(std::size_t n) {
    POOLHA_CHECK(n <= out_.size() - pos_, "wire encoder overran its buffer");
    std::uint8_t* p = out_.data() + pos_;
    pos_ += n;
    return p;
  }

  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

// Reads from a span and keeps the first error. Once an error is recorded every
// read yields zeros and nothing past the span is ever touched, so a decoder can
// parse straight through and check error() once at the end; it still must not
// use a value as an index before validating it.
class Reader {
 public:
  // `overrun` is the error reported when a read runs past the span.
  Reader(std::span<const std::uint8_t> in, DecodeError overrun) : in_(in), overrun_(overrun) {}

  std::uint8_t u8() {
    const std::uint8_t* p = take(1);
    return p ? *p : 0;
  }
  std::uint16_t u16() {
    const std::uint8_t* p = take(2);
    return p ? load_u16(p) : 0;
  }
  std::uint32_t u32() {
    const std::uint8_t* p = take(4);
    return p ? load_u32(p) : 0;
  }
  std::uint64_t u64() {
    const std::uint8_t* p = take(8);
    return p ? load_u64(p) : 0;
  }
  // A view of the next n bytes, or an empty span after an error.
  std::span<const std::uint8_t> bytes(std::size_t n) {
    const std::uint8_t* p = take(n);
    return p ? std::span<const std::uint8_t>(p, n) : std::span<const std::uint8_t>();
  }

  // Records `e` unless `ok`; returns `ok` so callers can skip dependent work.
  bool require(bool ok, DecodeError e) {
    if (!ok) fail(e);
    return ok;
  }
  void fail(DecodeError e) {
    if (!error_) error_ = e;
  }
  std::optional<DecodeError> error() const { return error_; }
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  const std::uint8_t* take(std::size_t n) {
    if (error_) return nullptr;
    if (n > in_.size() - pos_) {
      error_ = overrun_;
      return nullptr;
    }
    const std::uint8_t* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }

  std::span<const std::uint8_t> in_;
  DecodeError overrun_;
  std::size_t pos_ = 0;
  std::optional<DecodeError> error_;
};

// ---------------------------------------------------------------------------
// Host sets, memberships and views: shared by the heartbeat and the slot so
// both channels carry a view in the same bytes. Sizes depend on host_count,
// which the caller has already validated to be 1..kMaxHosts.

inline std::size_t set_size(std::uint16_t host_count) {
  return (host_count + 7u) / 8u;
}

inline std::size_t membership_size(const Membership& m, std::uint16_t host_count) {
  return 8 + set_size(host_count) + 2 + 4 * m.members.size();
}
inline std::size_t min_membership_size(std::uint16_t host_count) {
  return 8 + set_size(host_count) + 2;
}
inline std::size_t max_membership_size(std::uint16_t host_count) {
  return min_membership_size(host_count) + 4u * host_count;
}

// phase u8, proposal bits u8, flags u16, weight u32, announced_epoch u64.
inline constexpr std::size_t kViewFixedSize = 16;
inline constexpr std::uint8_t kHasProposal = 1u << 0;
inline constexpr std::uint8_t kProposalCommitted = 1u << 1;

inline std::size_t view_size(const View& v, std::uint16_t host_count) {
  return kViewFixedSize + 2 * set_size(host_count) + membership_size(v.current, host_count) +
         membership_size(v.proposal, host_count);
}
inline std::size_t min_view_size(std::uint16_t host_count) {
  return kViewFixedSize + 2 * set_size(host_count) + 2 * min_membership_size(host_count);
}
inline std::size_t max_view_size(std::uint16_t host_count) {
  return kViewFixedSize + 2 * set_size(host_count) + 2 * max_membership_size(host_count);
}

inline void put_set(Writer& w, const HostSet& s, std::uint16_t host_count) {
  std::span<std::uint8_t> out = w.reserve(set_size(host_count));
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  std::size_t written = 0;
  for (HostIndex h = 0; h < host_count; ++h) {
    if (!s.contains(h)) continue;
    out[h / 8u] = static_cast<std::uint8_t>(out[h / 8u] | (1u << (h % 8u)));
    ++written;
  }
  POOLHA_CHECK(written == s.size(), "host set holds a host beyond host_count");
}

inline HostSet get_set(Reader& r, std::uint16_t host_count) {
  HostSet s;
  std::span<const std::uint8_t> in = r.bytes(set_size(host_count));
  for (std::size_t i = 0; i < in.size(); ++i) {
    for (unsigned bits = in[i]; bits != 0; bits &= bits - 1) {
      const std::size_t h = i * 8 + static_cast<std::size_t>(std::countr_zero(bits));
      // Stray bits past the pool would be silently dropped on re-encode.
      if (!r.require(h < host_count, DecodeError::kBadField)) return s;
      s.insert(static_cast<HostIndex>(h));
    }
  }
  return s;
}

inline void put_membership(Writer& w, const Membership& m, std::uint16_t host_count) {
  POOLHA_CHECK(m.master == kNoHost || m.master < host_count, "membership master out of range");
  w.u64(m.epoch);
  put_set(w, m.members, host_count);
  w.u16(m.master);
  std::uint8_t* p = w.reserve(4 * m.members.size()).data();
  for (HostIndex h = 0; h < host_count; ++h) {
    if (!m.members.contains(h)) continue;
    store_u32(p, m.incarnation[h]);
    p += 4;
  }
}

inline void get_membership(Reader& r, std::uint16_t host_count, Membership& m) {
  m.epoch = r.u64();
  m.members = get_set(r, host_count);
  m.master = r.u16();
  r.require(m.master == kNoHost || m.master < host_count, DecodeError::kBadField);
  // get_set admits no member >= host_count, and host_count <= kMaxHosts.
  std::span<const std::uint8_t> in = r.bytes(4 * m.members.size());
  if (in.empty()) return;  // short (or no members): nothing to fill in
  const std::uint8_t* p = in.data();
  for (HostIndex h = 0; h < host_count; ++h) {
    if (!m.members.contains(h)) continue;
    m.incarnation[h] = load_u32(p);
    p += 4;
  }
}

inline void put_view(Writer& w, const View& v, std::uint16_t host_count) {
  POOLHA_CHECK(static_cast<std::uint8_t>(v.phase) < kPhaseCount, "view phase out of range");
  POOLHA_CHECK((v.flags & ~kKnownFlags) == 0, "view has unknown flags");
  w.u8(static_cast<std::uint8_t>(v.phase));
  w.u8(static_cast<std::uint8_t>((v.has_proposal ? kHasProposal : 0) |
                                 (v.proposal_committed ? kProposalCommitted : 0)));
  w.u16(v.flags);
  w.u32(v.weight);
  w.u64(v.announced_epoch);
  put_set(w, v.hb_domain, host_count);
  put_set(w, v.sf_domain, host_count);
  put_membership(w, v.current, host_count);
  // Encoded even without has_proposal, so a view survives a round trip as is.
  put_membership(w, v.proposal, host_count);
}

inline void get_view(Reader& r, std::uint16_t host_count, View& v) {
  const std::uint8_t phase = r.u8();
  if (r.require(phase < kPhaseCount, DecodeError::kBadField)) v.phase = static_cast<Phase>(phase);
  const std::uint8_t bits = r.u8();
  r.require((bits & ~(kHasProposal | kProposalCommitted)) == 0, DecodeError::kBadField);
  v.has_proposal = (bits & kHasProposal) != 0;
  v.proposal_committed = (bits & kProposalCommitted) != 0;
  v.flags = r.u16();
  r.require((v.flags & ~kKnownFlags) == 0, DecodeError::kBadField);
  v.weight = r.u32();
  v.announced_epoch = r.u64();
  v.hb_domain = get_set(r, host_count);
  v.sf_domain = get_set(r, host_count);
  get_membership(r, host_count, v.current);
  get_membership(r, host_count, v.proposal);
}

// The header every structure starts with: magic u32, version u16,
// host_count u16, length u32 (whole structure, checksum or MAC included).
inline constexpr std::size_t kHeaderSize = 12;

inline void put_header(Writer& w, std::uint32_t magic, std::uint16_t host_count,
                       std::size_t length) {
  w.u32(magic);
  w.u16(kWireVersion);
  w.u16(host_count);
  w.u32(static_cast<std::uint32_t>(length));
}

inline bool valid_host_count(std::uint32_t n) {
  return n >= 1 && n <= kMaxHosts;
}

}  // namespace poolha::wire::detail

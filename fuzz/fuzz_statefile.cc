// decode_global, decode_slot and decode_statefile on arbitrary bytes. The
// first input byte is host_count - 1 for decode_statefile; the rest is the
// region or image. Whatever decodes must re-encode to the same bytes. Each
// input is tried as is and with its CRCs recomputed.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_support.h"
#include "wire/statefile.h"

namespace {

using poolha::HostIndex;
using Bytes = std::span<const std::uint8_t>;
namespace wire = poolha::wire;

void check_global(Bytes bytes, std::uint16_t expect_host_count) {
  auto d = wire::decode_global(bytes);
  if (!d.ok()) return;
  const wire::GlobalSection& g = d.value();
  if (expect_host_count != 0 && g.host_count != expect_host_count) std::abort();
  const std::vector<std::uint8_t> again = wire::encode_global(g);
  if (again.size() != wire::layout_for(g.host_count).global_size) std::abort();
  poolha::fuzz::require_same_prefix(again, bytes,
                                    poolha::fuzz::load_u32(again.data() + poolha::fuzz::kLengthAt));
}

void check_slot(Bytes bytes) {
  auto d = wire::decode_slot(bytes);
  if (!d.ok()) return;
  const std::vector<std::uint8_t> again = wire::encode_slot(d.value());
  if (again.size() != wire::layout_for(d.value().host_count).slot_size) std::abort();
  poolha::fuzz::require_same_prefix(again, bytes,
                                    poolha::fuzz::load_u32(again.data() + poolha::fuzz::kLengthAt));
}

// The part of [offset, offset + size) the buffer holds.
template <typename Span>
Span region(Span bytes, std::size_t offset, std::size_t size) {
  if (offset >= bytes.size()) return {};
  return bytes.subspan(offset, std::min(size, bytes.size() - offset));
}

void check_image(Bytes bytes, std::uint16_t n) {
  const wire::StatefileImage image = wire::decode_statefile(bytes, n);
  const wire::StatefileLayout l = wire::layout_for(n);
  if (image.slots.size() != n) std::abort();
  if (image.global) check_global(region(bytes, 0, l.global_size), n);
  for (HostIndex h = 0; h < n; ++h) {
    const wire::SlotRead& read = image.slots[h];
    // Independently: the valid copies of this host's slot, and the newest.
    bool any_valid = false;
    std::uint64_t newest = 0;
    for (int copy = 0; copy < 2; ++copy) {
      auto d = wire::decode_slot(region(bytes, l.slot_offset(h, copy), l.slot_size));
      if (d.ok() && d.value().host == h && d.value().host_count == n) {
        newest = any_valid ? std::max(newest, d.value().sequence) : d.value().sequence;
        any_valid = true;
      }
    }
    if (read.slot.has_value() != any_valid) std::abort();
    if (!read.slot) continue;
    if (read.slot->host != h || read.slot->host_count != n) std::abort();
    if (read.slot->sequence != newest) std::abort();
    // And it is, byte for byte, what one of the copies holds.
    const std::vector<std::uint8_t> again = wire::encode_slot(*read.slot);
    const std::size_t length = poolha::fuzz::load_u32(again.data() + poolha::fuzz::kLengthAt);
    bool found = false;
    for (int copy = 0; copy < 2 && !found; ++copy) {
      Bytes r = region(bytes, l.slot_offset(h, copy), l.slot_size);
      found =
          r.size() >= length &&
          std::equal(again.begin(), again.begin() + static_cast<std::ptrdiff_t>(length), r.begin());
    }
    if (!found) std::abort();
  }
}

void check_all(Bytes bytes, std::uint16_t n) {
  check_global(bytes, 0);
  check_slot(bytes);
  check_image(bytes, n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint16_t n = static_cast<std::uint16_t>(data[0] + 1);
  const Bytes in(data + 1, size - 1);
  check_all(in, n);

  // Valid CRCs everywhere a region starts, for a single region and the image.
  std::vector<std::uint8_t> fixed(in.begin(), in.end());
  const std::span<std::uint8_t> all(fixed);
  const wire::StatefileLayout l = wire::layout_for(n);
  bool changed = poolha::fuzz::recrc(all);  // a lone region, or an image's global section
  for (HostIndex h = 0; h < n; ++h)
    for (int copy = 0; copy < 2; ++copy)
      changed |= poolha::fuzz::recrc(region(all, l.slot_offset(h, copy), l.slot_size));
  if (changed) check_all(fixed, n);
  return 0;
}

#include "sim/shared_statefile.h"

#include <algorithm>

namespace poolha::sim {

SharedStatefile::SharedStatefile(std::uint16_t host_count)
    : layout_(wire::layout_for(host_count)),
      image_(layout_.total_size(), 0),
      decoded_(std::make_shared<wire::StatefileImage>()),
      copies_(2 * static_cast<std::size_t>(host_count)),
      copy_dirty_(2 * static_cast<std::size_t>(host_count), false) {
  decoded_->slots.resize(host_count);
  mark_dirty(0, image_.size());
}

bool SharedStatefile::write(std::size_t offset, std::span<const std::uint8_t> data) {
  if (offset > image_.size() || data.size() > image_.size() - offset) return false;
  std::copy(data.begin(), data.end(), image_.begin() + static_cast<std::ptrdiff_t>(offset));
  mark_dirty(offset, offset + data.size());
  return true;
}

void SharedStatefile::mark_dirty(std::size_t begin, std::size_t end) {
  if (begin >= end) return;
  if (begin < layout_.global_size) global_dirty_ = true;
  if (end <= layout_.global_size || layout_.slot_size == 0) return;
  const std::size_t first =
      (std::max(begin, layout_.global_size) - layout_.global_size) / layout_.slot_size;
  const std::size_t last = (end - 1 - layout_.global_size) / layout_.slot_size;
  for (std::size_t c = first; c <= last && c < copy_dirty_.size(); ++c) {
    if (!copy_dirty_[c]) {
      copy_dirty_[c] = true;
      dirty_copies_.push_back(c);
    }
  }
}

SharedStatefile::CopyRead SharedStatefile::decode_copy(HostIndex h, int copy) const {
  const auto bytes = std::span<const std::uint8_t>(image_).subspan(layout_.slot_offset(h, copy),
                                                                   layout_.slot_size);
  auto d = wire::decode_slot(bytes);
  CopyRead out;
  if (!d.ok()) {
    out.error = d.error();
  } else if (d.value().host != h || d.value().host_count != layout_.host_count) {
    out.error = wire::DecodeError::kBadField;  // a valid slot, but not this host's
  } else {
    out.slot = std::move(d.value());
  }
  return out;
}

// The rule of wire::decode_statefile: the valid copy with the higher sequence;
// with neither valid, copy 0's error unless copy 0 was simply never written.
wire::SlotRead SharedStatefile::choose(HostIndex h) const {
  const CopyRead& c0 = copies_[2 * static_cast<std::size_t>(h)];
  const CopyRead& c1 = copies_[2 * static_cast<std::size_t>(h) + 1];
  wire::SlotRead out;
  if (c0.slot && c1.slot) {
    out.slot = c1.slot->sequence > c0.slot->sequence ? c1.slot : c0.slot;
  } else if (c0.slot || c1.slot) {
    out.slot = c0.slot ? c0.slot : c1.slot;
  } else {
    out.error = c0.error == wire::DecodeError::kEmpty ? c1.error : c0.error;
  }
  return out;
}

std::shared_ptr<const wire::StatefileImage> SharedStatefile::snapshot() {
  if (!global_dirty_ && dirty_copies_.empty()) return decoded_;
  // Someone still holds the previous snapshot: leave it intact.
  if (decoded_.use_count() > 1) decoded_ = std::make_shared<wire::StatefileImage>(*decoded_);
  if (global_dirty_) {
    auto global =
        wire::decode_global(std::span<const std::uint8_t>(image_).first(layout_.global_size));
    decoded_->global.reset();
    decoded_->global_error = wire::DecodeError::kEmpty;
    if (!global.ok()) {
      decoded_->global_error = global.error();
    } else if (global.value().host_count != layout_.host_count) {
      decoded_->global_error = wire::DecodeError::kBadField;
    } else {
      decoded_->global = std::move(global.value());
    }
    global_dirty_ = false;
  }
  // Sorted so each host's slot is chosen once even when both copies changed.
  std::sort(dirty_copies_.begin(), dirty_copies_.end());
  for (std::size_t c : dirty_copies_) {
    copies_[c] = decode_copy(static_cast<HostIndex>(c / 2), static_cast<int>(c % 2));
    copy_dirty_[c] = false;
  }
  HostIndex last = kNoHost;
  for (std::size_t c : dirty_copies_) {
    const auto h = static_cast<HostIndex>(c / 2);
    if (h == last) continue;
    decoded_->slots[h] = choose(h);
    last = h;
  }
  dirty_copies_.clear();
  return decoded_;
}

}  // namespace poolha::sim

// The statefile image every host reads and writes, with a decoded copy kept
// alongside. A region (the global section, one copy of one host's slot) is
// decoded again only after a write touched it, and readers share one
// immutable snapshot until the next write: reading the statefile of a
// 256-host pool then costs a pointer copy, not 513 decodes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "wire/statefile.h"

namespace poolha::sim {

class SharedStatefile {
 public:
  explicit SharedStatefile(std::uint16_t host_count);

  const wire::StatefileLayout& layout() const { return layout_; }
  std::span<const std::uint8_t> bytes() const { return image_; }

  // Copies `data` to `offset`. False (and nothing written) when out of range.
  bool write(std::size_t offset, std::span<const std::uint8_t> data);
  // The whole statefile decoded as it is now; the same as
  // wire::decode_statefile(bytes(), host_count).
  std::shared_ptr<const wire::StatefileImage> snapshot();

 private:
  // One decoded slot copy: the slot if it is valid for its host, else why not.
  struct CopyRead {
    std::optional<wire::HostSlot> slot;
    wire::DecodeError error = wire::DecodeError::kEmpty;
  };

  void mark_dirty(std::size_t begin, std::size_t end);
  CopyRead decode_copy(HostIndex h, int copy) const;
  wire::SlotRead choose(HostIndex h) const;

  wire::StatefileLayout layout_;
  std::vector<std::uint8_t> image_;
  std::shared_ptr<wire::StatefileImage> decoded_;
  std::vector<CopyRead> copies_;  // 2 per host: copy c of host h at 2h + c
  bool global_dirty_ = true;
  std::vector<std::size_t> dirty_copies_;
  std::vector<bool> copy_dirty_;
};

}  // namespace poolha::sim

// A slave's local copy of the pool database, for emergency mode and for
// choosing the newest database when it becomes master. The image is exactly
// one snapshot record (the metadata log's format, without padding), so it
// carries its generation and a checksum. The caller writes it to a file
// atomically (write a temporary, then rename).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pool/error.h"
#include "pool/snapshot.h"

namespace poolha::pool {

std::vector<std::uint8_t> encode_local_copy(const Snapshot& snapshot);
// kMalformed for anything but one intact snapshot record filling the image.
Result<Snapshot> decode_local_copy(std::span<const std::uint8_t> image);

}  // namespace poolha::pool

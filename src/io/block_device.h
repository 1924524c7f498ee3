// A disk the daemon reads and writes in whole aligned blocks: the heartbeat
// SR that holds the statefile and the pool database's metadata area.
//
// Alignment rule: every offset and length is a multiple of alignment()
// (4096, the statefile's region alignment) and the request lies within
// size(). Misaligned requests are refused, never turned into a
// read-modify-write: rewriting a whole block to change part of it could tear
// a neighbouring slot that another host owns.
//
// Implementations block the calling thread; the daemon runs them on a
// StorageWorker so a hung device never stalls its event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace poolha::io {

inline constexpr std::size_t kBlockAlignment = 4096;

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;

  // Path or URI, for messages.
  virtual const std::string& name() const = 0;
  virtual std::uint64_t size() const = 0;
  std::size_t alignment() const { return kBlockAlignment; }

  // Each throws IoError with the reason when the request is refused or fails.
  virtual std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) = 0;
  // Returns once the bytes are durable (each implementation says how).
  virtual void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) = 0;
  // Makes everything written so far durable; a barrier for devices that cache.
  virtual void flush() = 0;
};

// Throws IoError unless `length` bytes at `offset` is a non-empty request
// that follows the alignment rule and lies within the device. `what` names the
// operation in the message ("read", "write").
void check_block_request(const BlockDevice& device, std::string_view what, std::uint64_t offset,
                         std::uint64_t length);

}  // namespace poolha::io

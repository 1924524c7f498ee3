// Helpers shared by the oracle tests: fixed VM ids and boot ids, and a
// builder for disk images and ack lines with the histories a test describes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "oracle/ack_log.h"
#include "oracle/disk_record.h"
#include "oracle/disk_scan.h"
#include "oracle/ids.h"
#include "oracle/oracle.h"
#include "wire/byte_io.h"
#include "wire/crc32c.h"

namespace poolha::oracle::testing {

inline const std::string kVmA = "0a6f6b1e-3c1d-4c55-9f00-00000000000a";
inline const std::string kVmB = "0b6f6b1e-3c1d-4c55-9f00-00000000000b";

inline constexpr std::uint64_t kMs = 1'000'000;  // nanoseconds

// The message of what `f` throws, or "no error".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

// A sparse file of `size` zero bytes.
inline void make_zero_file(const std::filesystem::path& path, std::uint64_t size) {
  std::ofstream(path).close();
  std::filesystem::resize_file(path, size);
}

inline BootId boot_id(std::uint8_t n) {
  BootId id;
  id.bytes.fill(0x10);
  id.bytes[15] = n;
  return id;
}

// Recomputes a sector's CRC after a test changed its fields, so the decoder
// reaches the check the test is about.
inline void reseal(Sector& sector) {
  const std::uint32_t crc = wire::crc32c(std::span(sector).first(kSectorSize - 4));
  wire::detail::store_u32(sector.data() + kSectorSize - 4, crc);
}

// A VM disk image under construction, sector by sector from sector 1, and
// the ack lines of the records written to it.
class History {
 public:
  explicit History(std::string vm, std::size_t sectors = 64)
      : vm_(std::move(vm)), image_(sectors * kSectorSize) {
    put(0, encode_header({vm_}));
  }

  // Appends a record at the next sector; acknowledged unless told otherwise.
  History& record(BootId boot, std::uint64_t sequence, std::uint64_t time_ns,
                  bool acknowledged = true) {
    put(next_++, encode_record({vm_, boot, sequence, time_ns}));
    if (acknowledged) ack(boot, sequence, time_ns);
    return *this;
  }
  // Records sequences first..last of `boot`, one per ms from `start_ns`.
  History& boot_run(BootId boot, std::uint64_t first, std::uint64_t last, std::uint64_t start_ns) {
    for (std::uint64_t s = first; s <= last; ++s) record(boot, s, start_ns + (s - first) * kMs);
    return *this;
  }
  History& ack(BootId boot, std::uint64_t sequence, std::uint64_t time_ns) {
    acks_.push_back({vm_, boot, sequence, time_ns, "acks:" + std::to_string(acks_.size() + 1)});
    return *this;
  }
  // Writes raw sector bytes at `sector` (does not move the append point).
  History& put(std::uint64_t sector, std::span<const std::uint8_t> bytes) {
    std::copy(bytes.begin(), bytes.end(),
              image_.begin() + static_cast<std::ptrdiff_t>(sector * kSectorSize));
    return *this;
  }
  History& skip(std::uint64_t sectors) {
    next_ += sectors;
    return *this;
  }

  std::uint64_t next_sector() const { return next_; }
  std::vector<std::uint8_t>& image() { return image_; }
  const std::vector<AckEntry>& acks() const { return acks_; }
  VmDisk disk() const { return {vm_, "disk-of-" + vm_.substr(0, 2), scan_disk_image(image_)}; }

 private:
  std::string vm_;
  std::vector<std::uint8_t> image_;
  std::uint64_t next_ = kFirstRecordSector;
  std::vector<AckEntry> acks_;
};

inline Verdict judge_one(const History& history) {
  const std::vector<VmDisk> disks{history.disk()};
  return judge(disks, history.acks());
}

}  // namespace poolha::oracle::testing

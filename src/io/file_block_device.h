// A BlockDevice on a local file or block device (a LUN of the heartbeat SR,
// or an image file in tests and demos).
//
// Opened with O_DIRECT, so reads see what other hosts wrote to the shared
// disk rather than this host's page cache, through buffers aligned with
// posix_memalign. Opened with O_DSYNC, so each write is durable when it
// returns: one system call per write, and the kernel makes just that write
// stable (FUA or a cache flush) instead of the whole-file flush of fdatasync.
// flush() calls fdatasync as a barrier all the same.
//
// A filesystem without O_DIRECT (tmpfs) is refused with an error that says
// so. `direct = false` selects buffered I/O explicitly (tests, demos on
// tmpfs); there is never a silent fallback.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/block_device.h"

namespace poolha::io {

struct FileBlockDeviceOptions {
  bool direct = true;  // O_DIRECT; false for buffered I/O (only where O_DIRECT is impossible)
};

class FileBlockDevice final : public BlockDevice {
 public:
  // Opens an existing file or block device for reading and writing. Throws
  // IoError when it cannot be opened or the filesystem refuses O_DIRECT.
  explicit FileBlockDevice(std::string path, FileBlockDeviceOptions options = {});
  ~FileBlockDevice() override;
  FileBlockDevice(const FileBlockDevice&) = delete;
  FileBlockDevice& operator=(const FileBlockDevice&) = delete;

  const std::string& name() const override { return path_; }
  std::uint64_t size() const override { return size_; }
  bool direct() const { return direct_; }

  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) override;
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  void flush() override;

 private:
  std::string path_;
  bool direct_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace poolha::io

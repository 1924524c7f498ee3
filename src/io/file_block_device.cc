// pread/pwrite on a file descriptor opened O_DIRECT | O_DSYNC, through
// buffers aligned to the device alignment (O_DIRECT needs aligned memory as
// well as aligned offsets and lengths).
#include "io/file_block_device.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "io/io_error.h"

namespace poolha::io {

namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// A heap buffer aligned to kBlockAlignment.
std::unique_ptr<std::uint8_t[], FreeDeleter> aligned_buffer(std::size_t length) {
  void* memory = nullptr;
  const int error = posix_memalign(&memory, kBlockAlignment, length);
  if (error != 0) {
    throw IoError(
        fmt::format("cannot allocate an aligned {}-byte buffer: {}", length, std::strerror(error)));
  }
  return std::unique_ptr<std::uint8_t[], FreeDeleter>(static_cast<std::uint8_t*>(memory));
}

std::string io_failure(std::string_view what, const std::string& path, std::uint64_t offset,
                       int error, bool direct) {
  std::string message =
      fmt::format("{} of {} at offset {} failed: {}", what, path, offset, std::strerror(error));
  if (error == EINVAL && direct) {
    message += " (the filesystem or device rejected an O_DIRECT transfer)";
  }
  return message;
}

}  // namespace

FileBlockDevice::FileBlockDevice(std::string path, FileBlockDeviceOptions options)
    : path_(std::move(path)), direct_(options.direct) {
  const int flags = O_RDWR | O_CLOEXEC | O_DSYNC | (direct_ ? O_DIRECT : 0);
  fd_ = ::open(path_.c_str(), flags);
  if (fd_ < 0) {
    const int error = errno;
    if (error == EINVAL && direct_) {
      throw IoError(fmt::format(
          "cannot open {}: its filesystem does not support O_DIRECT (open returned EINVAL); "
          "use a disk or a filesystem that does, or choose buffered I/O explicitly "
          "(direct = false)",
          path_));
    }
    throw IoError(fmt::format("cannot open {}: {}", path_, std::strerror(error)));
  }
  try {
    struct stat st {};
    if (fstat(fd_, &st) != 0) {
      throw IoError(fmt::format("cannot stat {}: {}", path_, std::strerror(errno)));
    }
    if (S_ISREG(st.st_mode)) {
      size_ = static_cast<std::uint64_t>(st.st_size);
    } else if (S_ISBLK(st.st_mode)) {
      if (ioctl(fd_, BLKGETSIZE64, &size_) != 0) {
        throw IoError(fmt::format("cannot get the size of {}: {}", path_, std::strerror(errno)));
      }
      int sector = 0;
      if (ioctl(fd_, BLKSSZGET, &sector) != 0) {
        throw IoError(
            fmt::format("cannot get the sector size of {}: {}", path_, std::strerror(errno)));
      }
      if (sector <= 0 || kBlockAlignment % static_cast<std::size_t>(sector) != 0) {
        throw IoError(
            fmt::format("{} has {}-byte sectors; {}-byte blocks need a sector size "
                        "that divides them",
                        path_, sector, kBlockAlignment));
      }
    } else {
      throw IoError(fmt::format("{} is neither a regular file nor a block device", path_));
    }
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

FileBlockDevice::~FileBlockDevice() {
  ::close(fd_);
}

std::vector<std::uint8_t> FileBlockDevice::read(std::uint64_t offset, std::size_t length) {
  check_block_request(*this, "read", offset, length);
  const auto buffer = aligned_buffer(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd_, buffer.get() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(io_failure("read", path_, offset + done, errno, direct_));
    }
    if (n == 0) {
      throw IoError(fmt::format("read of {} at offset {}: unexpected end of file (did it shrink?)",
                                path_, offset + done));
    }
    done += static_cast<std::size_t>(n);
  }
  return std::vector<std::uint8_t>(buffer.get(), buffer.get() + length);
}

void FileBlockDevice::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  check_block_request(*this, "write", offset, bytes.size());
  const auto buffer = aligned_buffer(bytes.size());
  std::memcpy(buffer.get(), bytes.data(), bytes.size());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd_, buffer.get() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(io_failure("write", path_, offset + done, errno, direct_));
    }
    if (n == 0) {
      throw IoError(fmt::format("write of {} at offset {}: the device accepted no bytes", path_,
                                offset + done));
    }
    done += static_cast<std::size_t>(n);
  }
}

void FileBlockDevice::flush() {
  if (fdatasync(fd_) != 0) {
    throw IoError(fmt::format("flush of {} failed: {}", path_, std::strerror(errno)));
  }
}

}  // namespace poolha::io

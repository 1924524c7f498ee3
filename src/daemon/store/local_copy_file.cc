#include "daemon/store/local_copy_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "pool/local_copy.h"

namespace poolha::daemon {

namespace {

[[noreturn]] void fail_with_local_copy_error(const std::string& what) {
  throw LocalCopyError(fmt::format("{}: {}", what, std::strerror(errno)));
}

// Closes the descriptor on every path out, keeping errno of the failure.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) {
      const int saved = errno;
      ::close(fd_);
      errno = saved;
    }
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, const std::vector<std::uint8_t>& bytes, const std::string& what) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_with_local_copy_error(what);
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::filesystem::path local_copy_path(const std::filesystem::path& state_dir) {
  return state_dir / "pool-database.copy";
}

std::optional<pool::Snapshot> read_local_copy(const std::filesystem::path& file) {
  const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail_with_local_copy_error(fmt::format("open local copy {}", file.string()));
  }
  std::vector<std::uint8_t> image;
  std::uint8_t buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_with_local_copy_error(fmt::format("read local copy {}", file.string()));
    }
    if (n == 0) break;
    image.insert(image.end(), buffer, buffer + n);
  }
  pool::Result<pool::Snapshot> decoded = pool::decode_local_copy(image);
  if (!decoded) {
    throw LocalCopyError(fmt::format("local copy {} is not a valid pool database: {}",
                                     file.string(), decoded.error().message()));
  }
  return std::move(decoded).value();
}

void save_local_copy(const std::filesystem::path& file, const pool::Snapshot& snapshot) {
  const std::filesystem::path directory =
      file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    throw LocalCopyError(fmt::format("create directory {} for the local copy: {}",
                                     directory.string(), ec.message()));
  }
  const std::filesystem::path temporary = file.string() + ".new";
  {
    const FileDescriptor fd(
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail_with_local_copy_error(fmt::format("create {}", temporary.string()));
    write_all(fd.get(), pool::encode_local_copy(snapshot),
              fmt::format("write {}", temporary.string()));
    if (::fsync(fd.get()) != 0)
      fail_with_local_copy_error(fmt::format("fsync {}", temporary.string()));
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) {
    fail_with_local_copy_error(fmt::format("rename {} to {}", temporary.string(), file.string()));
  }
  const FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    fail_with_local_copy_error(fmt::format("fsync directory {}", directory.string()));
  }
}

}  // namespace poolha::daemon

#include "fence/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace poolha::fence {
namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// Closes the descriptor on every path out, keeping the first error.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, std::string_view content, const std::string& name) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "write " + name);
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

void replace_file_durably(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::filesystem::create_directories(dir);
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    FileDescriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (file.get() < 0) throw_errno(errno, "create " + temporary.string());
    write_all(file.get(), content, temporary.string());
    if (::fsync(file.get()) != 0) throw_errno(errno, "fsync " + temporary.string());
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    throw_errno(errno, "rename " + temporary.string() + " to " + path.string());
  }
  // The rename is only durable once the directory entry is.
  FileDescriptor directory(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() < 0) throw_errno(errno, "open directory " + dir.string());
  if (::fsync(directory.get()) != 0) throw_errno(errno, "fsync directory " + dir.string());
}

}  // namespace poolha::fence

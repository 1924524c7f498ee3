#include "daemon/store/heartbeat_sr_device.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "io/file_block_device.h"
#include "io/io_error.h"
#include "io/nbd_block_device.h"

namespace poolha::daemon {

namespace {

[[noreturn]] void fail_with_io_error(const std::string& what) {
  throw io::IoError(fmt::format("{}: {}", what, std::strerror(errno)));
}

// The new file's directory entry must survive a crash too.
void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_with_io_error(fmt::format("open directory {}", directory.string()));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) fail_with_io_error(fmt::format("fsync directory {}", directory.string()));
}

}  // namespace

bool is_nbd_uri(const std::string& device) {
  return device.starts_with("nbd://") || device.starts_with("nbds://") ||
         device.starts_with("nbd+unix://");
}

std::shared_ptr<io::BlockDevice> open_heartbeat_sr_device(const HeartbeatSrConfig& sr) {
  if (is_nbd_uri(sr.device)) return std::make_shared<io::NbdBlockDevice>(sr.device);
  return std::make_shared<io::FileBlockDevice>(sr.device,
                                               io::FileBlockDeviceOptions{.direct = sr.direct_io});
}

std::shared_ptr<io::BlockDevice> open_heartbeat_sr_device_waiting_for_server(
    const HeartbeatSrConfig& sr, const HeartbeatSrLayout& layout) {
  if (!is_nbd_uri(sr.device)) return open_heartbeat_sr_device(sr);
  return std::make_shared<io::NbdBlockDevice>(
      sr.device, io::NbdBlockDeviceOptions{.size_if_unreachable = layout.device_size()});
}

bool create_heartbeat_sr_file_if_missing(const HeartbeatSrConfig& sr, std::uint64_t size) {
  if (is_nbd_uri(sr.device)) return false;
  const std::filesystem::path path(sr.device);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    fail_with_io_error(fmt::format("create heartbeat SR file {}", sr.device));
  }
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0 || ::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    ::unlink(path.c_str());
    errno = saved;
    fail_with_io_error(fmt::format("size heartbeat SR file {} to {} bytes", sr.device, size));
  }
  ::close(fd);
  sync_directory(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));
  return true;
}

void check_heartbeat_sr_size(const io::BlockDevice& device, const HeartbeatSrLayout& layout) {
  if (device.size() < layout.device_size()) {
    throw io::IoError(fmt::format(
        "heartbeat SR {} holds {} bytes but needs {}: {} for the statefile and {} for the "
        "metadata area",
        device.name(), device.size(), layout.device_size(), layout.statefile_reserved.size,
        layout.metadata_area.size));
  }
}

}  // namespace poolha::daemon

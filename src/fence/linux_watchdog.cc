#include "fence/linux_watchdog.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/watchdog.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "fence/fence_record.h"

namespace poolha::fence {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

void write_byte(int fd, char byte, const std::string& what) {
  ssize_t written = 0;
  do {
    written = ::write(fd, &byte, 1);
  } while (written < 0 && errno == EINTR);
  if (written != 1) {
    throw FenceError(fmt::format("{}: {}", what, written < 0 ? errno_text(errno) : "short write"));
  }
}

}  // namespace

LinuxWatchdog::LinuxWatchdog(LinuxWatchdogOptions options) : options_(std::move(options)) {
  if (options_.host_name.empty()) options_.host_name = local_host_name();
}

LinuxWatchdog::~LinuxWatchdog() {
  if (fd_ >= 0) {
    spdlog::warn("watchdog: {} closed while armed; the kernel will reboot unless it is kicked",
                 options_.device.string());
    ::close(fd_);
  }
}

std::optional<std::string> LinuxWatchdog::check() {
  const std::string device = options_.device.string();
  struct stat status {};
  if (::stat(options_.device.c_str(), &status) != 0) {
    return fmt::format("no watchdog device at {} ({})", device, errno_text(errno));
  }
  if (!S_ISCHR(status.st_mode) && options_.require_character_device) {
    return fmt::format("{} is not a character device, so it is not a watchdog", device);
  }
  if (::access(options_.device.c_str(), W_OK) != 0) {
    return fmt::format("cannot write the watchdog device {} ({})", device, errno_text(errno));
  }
  // Without the trigger, fence_now could only wait for the countdown.
  if (::access(options_.sysrq_trigger.c_str(), W_OK) != 0) {
    return fmt::format("cannot write the sysrq trigger {} ({}), so fencing could not reboot",
                       options_.sysrq_trigger.string(), errno_text(errno));
  }
  return std::nullopt;
}

void LinuxWatchdog::arm(Duration timeout) {
  const long long seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
  if (seconds < 1) {
    throw FenceError(
        fmt::format("watchdog devices count whole seconds; a timeout of {} ms is too short",
                    std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  }
  const std::string device = options_.device.string();
  if (fd_ < 0) {
    fd_ = ::open(options_.device.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw FenceError(fmt::format("cannot open {}: {}", device, errno_text(errno)));
    struct stat status {};
    is_device_ = ::fstat(fd_, &status) == 0 && S_ISCHR(status.st_mode);
    if (!is_device_) {
      spdlog::warn("watchdog: {} is not a character device: timeout not set, kicks are writes",
                   device);
    }
  }
  if (!is_device_) {
    kick();  // a device's WDIOC_SETTIMEOUT kicks too
    return;
  }
  int requested = static_cast<int>(std::min<long long>(seconds, 65535));
  int granted = requested;
  if (::ioctl(fd_, WDIOC_SETTIMEOUT, &granted) != 0) {
    const int error = errno;
    // Opening already armed the device with its own timeout; leaving it
    // armed with an unknown timeout would be worse than disarming.
    disarm();
    throw FenceError(
        fmt::format("{}: WDIOC_SETTIMEOUT {} s failed: {}", device, requested, errno_text(error)));
  }
  if (granted > requested) {
    disarm();
    throw FenceError(
        fmt::format("{} set a {} s timeout when {} s was asked; refusing a watchdog "
                    "that fires later than the HA timing assumes",
                    device, granted, requested));
  }
  if (granted < requested) {
    spdlog::warn("watchdog: {} fires after {} s instead of {} s", device, granted, requested);
  }
}

void LinuxWatchdog::kick() {
  if (fd_ < 0) throw FenceError("kick before arm: the watchdog is not armed");
  if (is_device_) {
    if (::ioctl(fd_, WDIOC_KEEPALIVE, nullptr) != 0) {
      throw FenceError(fmt::format("{}: WDIOC_KEEPALIVE failed: {}", options_.device.string(),
                                   errno_text(errno)));
    }
    return;
  }
  // Any byte but 'V' counts as a kick on a device; this is the fake's path.
  write_byte(fd_, 'k', "kick " + options_.device.string());
}

void LinuxWatchdog::disarm() {
  if (fd_ < 0) return;
  const int fd = fd_;
  fd_ = -1;
  try {
    write_byte(fd, 'V', "magic close of " + options_.device.string());
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) {
    throw FenceError(
        fmt::format("closing {} failed: {}", options_.device.string(), errno_text(errno)));
  }
}

void LinuxWatchdog::fence_now(const std::string& reason) {
  FenceRecord record;
  record.unix_ms = wall_clock_unix_ms();
  record.host = options_.host_name;
  record.decided_by = FenceCause::kEngineRequest;
  record.reason = reason;
  record.fencer = "kernel watchdog " + options_.device.string();
  FenceAction reboot;
  reboot.kind = FenceAction::Kind::kReboot;
  reboot.trigger = options_.sysrq_trigger.string();
  record.actions.push_back(reboot);
  spdlog::critical("watchdog: fencing this host: {}", reason);
  try {
    write_fence_record(options_.state_dir, record);
  } catch (const std::exception& error) {
    // The reboot matters more than the record of it.
    spdlog::error("watchdog: cannot write the fence reason record: {}", error.what());
  }
  const int trigger = ::open(options_.sysrq_trigger.c_str(), O_WRONLY | O_CLOEXEC);
  if (trigger < 0) {
    throw FenceError(fmt::format("cannot open {}: {}; the armed watchdog fires when kicks stop",
                                 options_.sysrq_trigger.string(), errno_text(errno)));
  }
  try {
    write_byte(trigger, 'b', "reboot through " + options_.sysrq_trigger.string());
  } catch (...) {
    ::close(trigger);
    throw;
  }
  ::close(trigger);
}

}  // namespace poolha::fence

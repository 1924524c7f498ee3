// A kernel watchdog device (/dev/watchdog): opening it arms the countdown,
// WDIOC_SETTIMEOUT sets it, WDIOC_KEEPALIVE kicks it, and writing the magic
// character 'V' before closing disarms it. fence_now records the reason and
// then reboots at once through the sysrq trigger ('b': no sync, no
// shutdown), so the VMs stop with the machine. Both paths are settable so
// tests can use plain files instead of rebooting the machine.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "fence/watchdog.h"

namespace poolha::fence {

struct LinuxWatchdogOptions {
  std::filesystem::path device = "/dev/watchdog";
  std::filesystem::path sysrq_trigger = "/proc/sysrq-trigger";
  std::filesystem::path state_dir = "/var/lib/poolha";  // fence-reason.json
  std::string host_name;                                // empty: the machine's name
  // Production requires a character device. Tests set this to false and
  // use a regular file: the ioctls are then skipped (there is no driver to
  // take them), kicks become one-byte writes, and check() says so.
  bool require_character_device = true;
};

class LinuxWatchdog : public Watchdog {
 public:
  explicit LinuxWatchdog(LinuxWatchdogOptions options);
  // Closes an armed device without the magic character: the kernel keeps
  // counting and reboots unless someone opens and kicks it, which is what
  // a daemon exiting while armed deserves.
  ~LinuxWatchdog() override;
  LinuxWatchdog(const LinuxWatchdog&) = delete;
  LinuxWatchdog& operator=(const LinuxWatchdog&) = delete;

  // Looks at the paths without opening the device (opening would arm it).
  std::optional<std::string> check() override;
  // The device counts whole seconds: the timeout is rounded down, so the
  // reboot never comes later than asked, and must be at least 1 s. A
  // driver that sets a longer timeout than asked is refused.
  void arm(Duration timeout) override;
  void kick() override;
  void disarm() override;
  void fence_now(const std::string& reason) override;

  bool armed() const { return fd_ >= 0; }

 private:
  LinuxWatchdogOptions options_;
  int fd_ = -1;
  bool is_device_ = false;
};

}  // namespace poolha::fence

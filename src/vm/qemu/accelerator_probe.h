// Whether an accelerator can run this host's guests. /dev/kvm can exist and
// open yet fail on a real guest (a nested KVM that faults on instructions a
// stock kernel uses at boot), so the only trustworthy test is to boot the
// guest kernel itself: with no root device it runs through its early setup
// and stops at mounting the root filesystem, which it reports on the
// serial console ("Unable to mount root fs"); then it panics and, with
// panic=-1 and -no-reboot, QEMU exits. That message is the proof.
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/time.h"
#include "vm/process/child_exit.h"
#include "vm/qemu/qemu_driver_config.h"

namespace poolha::vm {

struct AcceleratorProbeConfig {
  std::string qemu_binary = "qemu-system-x86_64";
  std::filesystem::path kernel;
  std::filesystem::path log_file;  // the probe's serial console and QEMU messages
  Duration timeout = 10s;
};

class AcceleratorProbe {
 public:
  // `works` says whether the kernel booted; `detail` says what was seen.
  using Done = std::function<void(bool works, const std::string& detail)>;

  AcceleratorProbe(asio::io_context& io, AcceleratorProbeConfig config);
  // A probe still running is killed.
  ~AcceleratorProbe();
  AcceleratorProbe(const AcceleratorProbe&) = delete;
  AcceleratorProbe& operator=(const AcceleratorProbe&) = delete;

  // Once per object; `done` runs later from the event loop.
  void run(Accelerator accel, Done done);

 private:
  void finish();

  asio::io_context& io_;
  AcceleratorProbeConfig config_;
  Done done_;
  pid_t group_ = 0;
  std::optional<ChildExitWatch> qemu_;
  asio::steady_timer timer_;
  bool timed_out_ = false;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace poolha::vm

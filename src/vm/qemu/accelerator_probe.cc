#include "vm/qemu/accelerator_probe.h"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vm/process/process_group.h"
#include "vm/process/spawn.h"

namespace poolha::vm {
namespace {

constexpr const char* kRootMountMessage = "Unable to mount root fs";

std::string last_line_of(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

}  // namespace

AcceleratorProbe::AcceleratorProbe(asio::io_context& io, AcceleratorProbeConfig config)
    : io_(io), config_(std::move(config)), timer_(io) {}

AcceleratorProbe::~AcceleratorProbe() {
  if (qemu_ && !qemu_->reaped()) {
    ::kill(-group_, SIGKILL);
    qemu_->reap();
  }
}

void AcceleratorProbe::run(Accelerator accel, Done done) {
  done_ = std::move(done);
  const auto fail_soon = [this](std::string detail) {
    asio::post(io_, [alive = std::weak_ptr<char>(alive_), this, detail = std::move(detail)] {
      if (alive.expired()) return;
      if (auto report = std::exchange(done_, nullptr)) report(false, detail);
    });
  };
  if (accel == Accelerator::kKvm && ::access("/dev/kvm", R_OK | W_OK) != 0) {
    fail_soon(std::string("/dev/kvm: ") + std::strerror(errno));
    return;
  }
  std::error_code ignored;
  std::filesystem::remove(config_.log_file, ignored);

  SpawnRequest request;
  request.argv = {config_.qemu_binary,
                  "-machine",
                  "pc",
                  "-accel",
                  std::string(accelerator_name(accel)),
                  "-nodefaults",
                  "-no-user-config",
                  "-display",
                  "none",
                  "-m",
                  "128",  // less and the kernel does not decompress
                  "-kernel",
                  config_.kernel.string(),
                  "-append",
                  "console=ttyS0 panic=-1",
                  "-no-reboot",
                  "-serial",
                  "stdio"};
  if (accel == Accelerator::kKvm) request.argv.insert(request.argv.end(), {"-cpu", "host"});
  request.output = config_.log_file;
  try {
    SpawnedProcess spawned = spawn_session_leader(request);
    group_ = spawned.pid;
    qemu_.emplace(io_, std::move(spawned.pidfd));
  } catch (const std::exception& e) {
    fail_soon(e.what());
    return;
  }
  qemu_->async_wait([this, alive = std::weak_ptr<char>(alive_)](std::error_code ec) {
    if (!ec && !alive.expired()) finish();
  });
  timer_.expires_after(config_.timeout);
  timer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](std::error_code ec) {
    if (ec || alive.expired() || qemu_->reaped()) return;
    // A KVM that cannot run the guest tends to hang rather than fail.
    timed_out_ = true;
    ::kill(-group_, SIGKILL);
  });
}

void AcceleratorProbe::finish() {
  timer_.cancel();
  const ExitStatus status = qemu_->reap();
  ::kill(-group_, SIGKILL);  // nothing of the probe may linger
  std::ifstream in(config_.log_file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string log = text.str();
  const bool works = log.find(kRootMountMessage) != std::string::npos;
  std::string detail;
  if (works) {
    detail = "the guest kernel booted to its root mount";
  } else if (timed_out_) {
    detail = fmt::format("the guest kernel did not reach its root mount within {} s",
                         to_seconds(config_.timeout));
  } else {
    detail =
        "QEMU ended (" + status.describe() + ") before the guest kernel reached its root mount";
    const std::string last = last_line_of(log);
    if (!last.empty()) detail += ": " + last;
  }
  if (auto report = std::exchange(done_, nullptr)) report(works, detail);
}

}  // namespace poolha::vm

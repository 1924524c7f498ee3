#include "vm/libvirt/libvirt_vm_driver.h"

#include <asio/io_context.hpp>

#include <stdexcept>
#include <utility>

#include "vm/libvirt/domain_tracker.h"
#include "vm/libvirt/domain_worker.h"
#include "vm/libvirt/loop_channel.h"

namespace poolha::vm {
namespace {

void check_config(const LibvirtDriverConfig& config) {
  const auto fail = [](const std::string& message) {
    throw std::invalid_argument("libvirt VM driver: " + message);
  };
  if (config.uri.empty()) fail("uri is empty");
  if (config.domain_template.empty()) fail("domain_template is empty");
  if (config.shutdown_grace < Duration::zero()) fail("shutdown_grace is negative");
  if (config.stop_poll_interval <= Duration::zero()) fail("stop_poll_interval must be positive");
  if (config.refresh_interval <= Duration::zero()) fail("refresh_interval must be positive");
  if (config.reconnect_interval <= Duration::zero()) fail("reconnect_interval must be positive");
}

bool is_canonical_uuid(const std::string& uuid) {
  if (uuid.size() != 36) return false;
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    const char c = uuid[i];
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (dash_position ? c != '-' : !hex) return false;
  }
  return true;
}

std::string uuid_problem(const std::string& uuid) {
  return "UUID_INVALID: '" + uuid +
         "' is not a uuid in canonical form (lowercase, 8-4-4-4-12 hex digits)";
}

}  // namespace

LibvirtVmDriver::LibvirtVmDriver(asio::io_context& owner, LibvirtDriverConfig config)
    : owner_(std::make_shared<libvirt::LoopChannel>(owner)),
      tracker_(std::make_shared<libvirt::DomainTracker>()) {
  check_config(config);
  // Called from other threads, possibly while this driver is destroyed:
  // `this` is used only on the owner's loop, through the channel that the
  // destructor closes there first.
  auto halt_reporter = [owner = owner_, this](const std::string& uuid, HaltCause cause) {
    owner->post([this, uuid, cause] { report_halt(uuid, cause); });
  };
  worker_ = std::make_unique<libvirt::DomainWorker>(std::move(config), tracker_,
                                                    std::move(halt_reporter));
}

LibvirtVmDriver::~LibvirtVmDriver() {
  owner_->close();
  worker_.reset();
}

void LibvirtVmDriver::start(const VmConfig& vm, Done done) {
  if (!is_canonical_uuid(vm.uuid)) {
    complete(std::move(done), VmResult{false, uuid_problem(vm.uuid)});
    return;
  }
  tracker_->start_requested(vm.uuid);
  worker_->start(vm, [owner = owner_, done = std::move(done)](VmResult result) {
    owner->post([done, result = std::move(result)] { done(result); });
  });
}

void LibvirtVmDriver::stop(const std::string& uuid, Done done) {
  if (!is_canonical_uuid(uuid)) {
    complete(std::move(done), VmResult{false, uuid_problem(uuid)});
    return;
  }
  worker_->stop(uuid, [owner = owner_, done = std::move(done)](VmResult result) {
    owner->post([done, result = std::move(result)] { done(result); });
  });
}

std::vector<std::string> LibvirtVmDriver::running() const {
  return tracker_->running();
}

bool LibvirtVmDriver::ready() const {
  return tracker_->listed();
}

void LibvirtVmDriver::report_halt(const std::string& uuid, HaltCause cause) {
  if (listener_) listener_(uuid, cause);
}

void LibvirtVmDriver::complete(Done done, VmResult result) {
  owner_->post([done = std::move(done), result = std::move(result)] { done(result); });
}

}  // namespace poolha::vm

// The VM driver for libvirt: QEMU/KVM through qemu:///system in production,
// libvirt's test driver in tests. A VM's uuid is its domain's uuid, and the
// domain definition comes from the operator's XML template. libvirt calls
// block, so they run on the driver's worker thread; lifecycle events arrive
// on libvirt's event loop thread; every callback is posted to the owner's
// io_context.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/time.h"
#include "vm/vm_driver.h"

namespace asio {
class io_context;
}

namespace poolha::vm {

namespace libvirt {
class DomainTracker;
class DomainWorker;
class LoopChannel;
}  // namespace libvirt

struct LibvirtDriverConfig {
  std::string uri = "qemu:///system";
  // Domain XML with {uuid}, {name} and {memory_kib} placeholders. Read at
  // every define, so an edit applies to the VMs defined after it.
  std::filesystem::path domain_template;
  // How long a guest may take to shut down before its domain is destroyed.
  Duration shutdown_grace = 60s;
  // How often a shutting-down domain is checked.
  Duration stop_poll_interval = 500ms;
  // How often the list of running domains is read again from libvirt; its
  // events keep the list current in between.
  Duration refresh_interval = 10s;
  // How often an unreachable libvirt is tried again.
  Duration reconnect_interval = 5s;
};

class LibvirtVmDriver final : public VmDriver {
 public:
  // Throws std::invalid_argument for an unusable configuration. Connects in
  // the background: an unreachable libvirt is tried again every
  // reconnect_interval, and operations meanwhile fail with its message.
  LibvirtVmDriver(asio::io_context& owner, LibvirtDriverConfig config);
  // On the owner's thread, which must outlive the driver. Waits for the
  // libvirt call in progress; completions and halts not yet delivered are
  // dropped.
  ~LibvirtVmDriver() override;
  LibvirtVmDriver(const LibvirtVmDriver&) = delete;
  LibvirtVmDriver& operator=(const LibvirtVmDriver&) = delete;

  // uuids must be in libvirt's canonical form (lowercase, 8-4-4-4-12 hex
  // digits): libvirt reports them so, and running() must name them as asked.
  void start(const VmConfig& vm, Done done) override;
  void stop(const std::string& uuid, Done done) override;
  // From the driver's records, which libvirt's events keep current: it never
  // waits for libvirt. While libvirt is unreachable: the last known list.
  // Before ready(), the list holds only the VMs this driver started itself.
  std::vector<std::string> running() const override;
  // Whether libvirt's domains have been listed since the driver was made.
  // Until then a VM that already ran (a daemon restart) is missing from
  // running(), and reporting that list would make it look halted.
  bool ready() const;
  void set_halt_listener(HaltListener listener) override { listener_ = std::move(listener); }

 private:
  void report_halt(const std::string& uuid, HaltCause cause);
  // Posts a completion, never running it inside the caller.
  void complete(Done done, VmResult result);

  std::shared_ptr<libvirt::LoopChannel> owner_;
  std::shared_ptr<libvirt::DomainTracker> tracker_;
  HaltListener listener_;
  std::unique_ptr<libvirt::DomainWorker> worker_;
};

}  // namespace poolha::vm

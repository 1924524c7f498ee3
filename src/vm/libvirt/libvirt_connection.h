// The driver's connection to libvirt: opened on demand, registered for
// domain lifecycle events and for libvirt's notice that it closed, and
// opened again after it drops. Used only from the driver's worker thread;
// the handlers run on libvirt's event loop thread.
#pragma once

#include <libvirt/libvirt.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "vm/libvirt/libvirt_handles.h"

namespace poolha::vm::libvirt {

class Connection {
 public:
  using LifecycleHandler = std::function<void(const std::string& uuid, int event, int detail)>;
  // `generation` names the connection that closed: the notice can arrive
  // after that connection was already replaced.
  using ClosedHandler = std::function<void(std::uint64_t generation, const std::string& reason)>;

  Connection(std::string uri, LifecycleHandler on_lifecycle, ClosedHandler on_closed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& uri() const { return uri_; }
  bool is_open() const { return connection_ != nullptr; }
  // Counts opens; the handlers of generation N were registered by the Nth.
  std::uint64_t generation() const { return generation_; }

  // Opens and registers the handlers; throws LibvirtError with libvirt's
  // message. Must not be open.
  void open();
  // The open connection.
  virConnectPtr get() const;
  // Whether libvirt still considers the open connection usable.
  bool alive() const;
  // Deregisters the handlers and closes; nothing happens when not open.
  void close();

 private:
  std::string uri_;
  LifecycleHandler on_lifecycle_;
  ClosedHandler on_closed_;
  ConnectionHandle connection_;
  int lifecycle_callback_ = -1;
  // Owned here, not by libvirt: drivers without close notices (test:///)
  // accept the registration and then neither keep nor free the context.
  struct ClosedContext;
  std::unique_ptr<ClosedContext> closed_context_;

  // libvirt's close notice; a member so it may read ClosedContext.
  static void on_closed_notice(virConnectPtr connection, int reason, void* opaque);
  std::uint64_t generation_ = 0;
};

// Text for libvirt's virConnectCloseReason, for log lines.
std::string describe_close_reason(int reason);

}  // namespace poolha::vm::libvirt

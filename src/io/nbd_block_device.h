// A BlockDevice on an NBD export, the heartbeat SR reached over the network
// (qemu-nbd, nbd-server), through libnbd: URI nbd://host:port/export.
//
// A write is durable when it returns: it carries FUA when the server offers
// it, otherwise it is followed by a flush; a server offering neither cannot
// make writes durable and writes are refused. Requests larger than the
// server's maximum are split.
//
// Reconnecting. When a request fails because the connection broke (the
// server went away or said it is shutting down), the request fails with
// IoError and the connection is dropped; the failed request is never retried.
// The next request connects again, checks that the export still has the same
// size, and is then served; while the server stays down every request fails
// with "cannot connect to <uri>: ...". A reconnection is made in the network
// namespace the device was opened in, whichever thread asks for it. With
// `size_if_unreachable` the first connection may come the same way: the
// device can be opened while its server is down.
//
// Time bounds. Connecting (TCP connect and NBD handshake) is bounded by
// `connect_timeout`; a host name is resolved before that, by the system
// resolver and its own timeouts. A request on an open connection is NOT
// bounded: on a dead path it waits until the server answers or TCP gives
// up. That is deliberate: abandoning an unanswered request and carrying on
// over a new connection could let the old write land after a newer one was
// acknowledged, and the statefile slots and the pool database's log rely on
// write order. The daemon runs device calls on a StorageWorker, whose
// deadlines report such a hang as a storage failure without blocking its
// event loop.
//
// Ordering. Requests are serialized: one is in flight at a time, and one that
// has not been answered (or failed with its connection) holds back every
// later request, on this connection or a new one. What the device cannot
// rule out is a server that received a request, lost the connection before
// answering and still carries the request out; a failed write's outcome is
// therefore unknown, and its error says so.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "io/block_device.h"

struct nbd_handle;

namespace poolha::io {

struct NbdBlockDeviceOptions {
  // How long one connection attempt may take, handshake included.
  std::chrono::milliseconds connect_timeout{3000};
  // Zero: the constructor connects, and throws when it cannot. Otherwise a
  // server that cannot be reached at construction is not an error: the
  // device starts disconnected, reports this size, and its requests fail
  // until one connects; the export it then finds must hold at least this
  // many bytes (otherwise every request fails, saying so). For a daemon that
  // must start, and wait in emergency mode, while its storage is down.
  std::uint64_t size_if_unreachable = 0;
};

namespace detail {
struct NbdHandleCloser {
  void operator()(nbd_handle* handle) const;
};
}  // namespace detail

class NbdBlockDevice final : public BlockDevice {
 public:
  // Connects at once. Throws IoError with libnbd's reason when it cannot,
  // unless options.size_if_unreachable is set.
  explicit NbdBlockDevice(std::string uri, NbdBlockDeviceOptions options = {});
  ~NbdBlockDevice() override;
  NbdBlockDevice(const NbdBlockDevice&) = delete;
  NbdBlockDevice& operator=(const NbdBlockDevice&) = delete;

  const std::string& name() const override { return uri_; }
  std::uint64_t size() const override { return size_; }

  // Thread-safe; calls are served one at a time.
  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) override;
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  void flush() override;

  // Whether a connection is open; false from a broken connection until a
  // request connects again. Does not wait for a request in progress.
  bool connected() const { return connected_.load(); }
  // Connections made after the first one (the first request's connection,
  // when the server was unreachable at construction, is the first one).
  std::uint64_t reconnects() const { return reconnects_.load(); }

 private:
  using Handle = std::unique_ptr<nbd_handle, detail::NbdHandleCloser>;

  // All of these need mutex_.
  nbd_handle* open_handle();
  void connect();
  void flush_locked(bool after_write);
  [[noreturn]] void request_failed(const std::string& what, bool outcome_unknown);

  const std::string uri_;
  const NbdBlockDeviceOptions options_;
  int network_namespace_ = -1;  // the opener's, as an open file
  std::uint64_t size_ = 0;      // fixed at the first connection
  bool sized_ = false;          // a connection has fixed size_
  bool unreachable_ = false;    // the last connect() failed before the handshake ended

  std::mutex mutex_;
  Handle handle_;                // null while disconnected
  std::size_t max_request_ = 0;  // bytes per NBD command, a multiple of the alignment
  bool can_fua_ = false;
  bool can_flush_ = false;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> reconnects_{0};
};

}  // namespace poolha::io

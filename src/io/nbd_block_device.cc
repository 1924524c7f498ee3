// Requests use libnbd's synchronous calls (nbd_pread, nbd_pwrite, nbd_flush);
// connecting uses its asynchronous ones (nbd_aio_connect_uri driven by
// nbd_poll) so that a deadline can bound it.
#include "io/nbd_block_device.h"

#include <fcntl.h>
#include <libnbd.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "io/io_error.h"

namespace poolha::io {

void detail::NbdHandleCloser::operator()(nbd_handle* handle) const {
  nbd_close(handle);
}

namespace {

using NbdHandle = std::unique_ptr<nbd_handle, detail::NbdHandleCloser>;

// Servers commonly accept 32 MiB per command; most state here is far smaller.
constexpr std::size_t kDefaultMaxRequest = std::size_t{32} << 20;

constexpr const char* kThreadNetworkNamespace = "/proc/thread-self/ns/net";

std::string nbd_reason() {
  const char* error = nbd_get_error();
  return error != nullptr ? error : "unknown libnbd error";
}

// What one connection negotiated.
struct NegotiatedExport {
  std::uint64_t size = 0;
  std::size_t max_request = 0;
  bool can_fua = false;
  bool can_flush = false;
};

struct NbdConnection {
  NbdHandle handle;
  NegotiatedExport exported;
};

// Drives the connection and handshake until the handle is ready; throws when
// it fails or is not ready within `timeout`.
void connect_before_deadline(nbd_handle* handle, const std::string& uri,
                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (nbd_aio_connect_uri(handle, uri.c_str()) != 0) {
    throw IoError(fmt::format("cannot connect to {}: {}", uri, nbd_reason()));
  }
  while (nbd_aio_is_connecting(handle) == 1) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      throw IoError(
          fmt::format("cannot connect to {}: the server did not complete the "
                      "connection and handshake within {} ms",
                      uri, timeout.count()));
    }
    const auto wait = std::min<std::chrono::milliseconds::rep>(left.count(), INT_MAX);
    if (nbd_poll(handle, static_cast<int>(wait)) < 0) {
      throw IoError(fmt::format("cannot connect to {}: {}", uri, nbd_reason()));
    }
  }
  if (nbd_aio_is_ready(handle) != 1) {
    throw IoError(fmt::format("cannot connect to {}: {}", uri, nbd_reason()));
  }
}

NegotiatedExport negotiated_export(nbd_handle* handle, const std::string& uri) {
  NegotiatedExport exported;
  const std::int64_t size = nbd_get_size(handle);
  if (size < 0) {
    throw IoError(fmt::format("cannot get the size of {}: {}", uri, nbd_reason()));
  }
  exported.size = static_cast<std::uint64_t>(size);
  exported.can_fua = nbd_can_fua(handle) == 1;
  exported.can_flush = nbd_can_flush(handle) == 1;
  const std::int64_t server_min = nbd_get_block_size(handle, LIBNBD_SIZE_MINIMUM);
  if (server_min > 0 && kBlockAlignment % static_cast<std::uint64_t>(server_min) != 0) {
    throw IoError(
        fmt::format("{}: the server's minimum request ({} bytes) does not divide a "
                    "block ({} bytes)",
                    uri, server_min, kBlockAlignment));
  }
  std::size_t max_request = kDefaultMaxRequest;
  const std::int64_t server_max = nbd_get_block_size(handle, LIBNBD_SIZE_MAXIMUM);
  if (server_max > 0) max_request = std::min(max_request, static_cast<std::size_t>(server_max));
  exported.max_request = max_request / kBlockAlignment * kBlockAlignment;
  if (exported.max_request == 0) {
    throw IoError(fmt::format("{}: the server's maximum request ({} bytes) is below one block", uri,
                              server_max));
  }
  return exported;
}

NbdConnection open_nbd_connection(const std::string& uri, std::chrono::milliseconds timeout) {
  NbdHandle handle(nbd_create());
  if (!handle) throw IoError(fmt::format("cannot create an NBD handle: {}", nbd_reason()));
  connect_before_deadline(handle.get(), uri, timeout);
  const NegotiatedExport exported = negotiated_export(handle.get(), uri);
  return NbdConnection{std::move(handle), exported};
}

// Whether the calling thread is in the network namespace open as `kept`. When
// it cannot tell, it says no: connecting through the kept one is always right.
bool thread_in_network_namespace(int kept) {
  struct stat kept_stat {};
  struct stat own_stat {};
  if (::fstat(kept, &kept_stat) != 0 || ::stat(kThreadNetworkNamespace, &own_stat) != 0) {
    return false;
  }
  return kept_stat.st_dev == own_stat.st_dev && kept_stat.st_ino == own_stat.st_ino;
}

// Connects from a thread of its own that enters namespace `kept` first: the
// socket belongs to the namespace it is created in, and the calling thread
// must not change namespace.
NbdConnection open_nbd_connection_in(int kept, const std::string& uri,
                                     std::chrono::milliseconds timeout) {
  NbdConnection connection;
  std::exception_ptr failure;
  std::thread([&] {
    try {
      if (::setns(kept, CLONE_NEWNET) != 0) {
        throw IoError(
            fmt::format("cannot connect to {}: cannot enter the network namespace the "
                        "device was opened in: {}",
                        uri, std::strerror(errno)));
      }
      connection = open_nbd_connection(uri, timeout);
    } catch (...) {
      failure = std::current_exception();
    }
  }).join();
  if (failure) std::rethrow_exception(failure);
  return connection;
}

}  // namespace

NbdBlockDevice::NbdBlockDevice(std::string uri, NbdBlockDeviceOptions options)
    : uri_(std::move(uri)), options_(options) {
  network_namespace_ = ::open(kThreadNetworkNamespace, O_RDONLY | O_CLOEXEC);
  if (network_namespace_ < 0) {
    throw IoError(fmt::format("cannot open {} to keep the network namespace for {}: {}",
                              kThreadNetworkNamespace, uri_, std::strerror(errno)));
  }
  const std::lock_guard lock(mutex_);
  try {
    connect();
  } catch (const IoError& error) {
    if (options_.size_if_unreachable == 0 || !unreachable_) {
      ::close(network_namespace_);
      throw;
    }
    size_ = options_.size_if_unreachable;
    spdlog::warn("NBD device {}: {}; every request fails until one can connect", uri_,
                 error.what());
  } catch (...) {
    ::close(network_namespace_);
    throw;
  }
}

NbdBlockDevice::~NbdBlockDevice() {
  if (handle_ && nbd_aio_is_ready(handle_.get()) == 1) nbd_shutdown(handle_.get(), 0);
  handle_.reset();
  ::close(network_namespace_);
}

void NbdBlockDevice::connect() {
  unreachable_ = true;
  NbdConnection connection =
      thread_in_network_namespace(network_namespace_)
          ? open_nbd_connection(uri_, options_.connect_timeout)
          : open_nbd_connection_in(network_namespace_, uri_, options_.connect_timeout);
  unreachable_ = false;
  if (!sized_) {
    if (connection.exported.size < options_.size_if_unreachable) {
      throw IoError(fmt::format("cannot use {}: the export holds {} bytes but {} are needed", uri_,
                                connection.exported.size, options_.size_if_unreachable));
    }
    size_ = connection.exported.size;
    sized_ = true;
  } else if (connection.exported.size != size_) {
    // Offsets were laid out for the first size; another export under the
    // same name is not the disk this device stands for.
    throw IoError(
        fmt::format("cannot use {} after reconnecting: the export now holds {} bytes, "
                    "not {} as before",
                    uri_, connection.exported.size, size_));
  }
  handle_ = std::move(connection.handle);
  max_request_ = connection.exported.max_request;
  can_fua_ = connection.exported.can_fua;
  can_flush_ = connection.exported.can_flush;
  connected_ = true;
}

nbd_handle* NbdBlockDevice::open_handle() {
  if (!handle_) {
    const bool first = !sized_;
    connect();
    if (first) {
      spdlog::info("NBD device {}: connected", uri_);
    } else {
      ++reconnects_;
      spdlog::info("NBD device {}: reconnected", uri_);
    }
  }
  return handle_.get();
}

void NbdBlockDevice::request_failed(const std::string& what, bool outcome_unknown) {
  const std::string reason = nbd_reason();
  // A server that is shutting down answers ESHUTDOWN and will not serve
  // this connection again.
  const bool shutting_down = nbd_get_errno() == ESHUTDOWN;
  if (nbd_aio_is_ready(handle_.get()) == 1 && !shutting_down) {
    throw IoError(fmt::format("{} failed: {}", what, reason));
  }
  // No request of ours is left on the old connection: a synchronous call
  // returns only once it is answered or the connection is dead.
  handle_.reset();
  connected_ = false;
  spdlog::warn("NBD device {}: connection lost ({}); the next request reconnects", uri_, reason);
  throw IoError(
      fmt::format("{} failed: {}; the connection is lost{}, the next request reconnects", what,
                  reason, outcome_unknown ? " and whether the write took effect is unknown" : ""));
}

std::vector<std::uint8_t> NbdBlockDevice::read(std::uint64_t offset, std::size_t length) {
  check_block_request(*this, "read", offset, length);
  const std::lock_guard lock(mutex_);
  nbd_handle* handle = open_handle();
  std::vector<std::uint8_t> bytes(length);
  for (std::size_t done = 0; done < length;) {
    const std::size_t chunk = std::min(max_request_, length - done);
    if (nbd_pread(handle, bytes.data() + done, chunk, offset + done, 0) != 0) {
      request_failed(fmt::format("read of {} at offset {}", uri_, offset + done), false);
    }
    done += chunk;
  }
  return bytes;
}

void NbdBlockDevice::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  check_block_request(*this, "write", offset, bytes.size());
  const std::lock_guard lock(mutex_);
  nbd_handle* handle = open_handle();
  if (!can_fua_ && !can_flush_) {
    throw IoError(
        fmt::format("write to {} refused: the server supports neither FUA nor flush, so "
                    "writes cannot be made durable (enable flush on the server)",
                    uri_));
  }
  const std::uint32_t flags = can_fua_ ? LIBNBD_CMD_FLAG_FUA : 0;
  for (std::size_t done = 0; done < bytes.size();) {
    const std::size_t chunk = std::min(max_request_, bytes.size() - done);
    if (nbd_pwrite(handle, bytes.data() + done, chunk, offset + done, flags) != 0) {
      request_failed(fmt::format("write of {} at offset {}", uri_, offset + done), true);
    }
    done += chunk;
  }
  if (!can_fua_) flush_locked(true);
}

void NbdBlockDevice::flush() {
  const std::lock_guard lock(mutex_);
  flush_locked(false);
}

void NbdBlockDevice::flush_locked(bool after_write) {
  nbd_handle* handle = open_handle();
  if (!can_flush_) {
    // Without a volatile cache to flush there is nothing to do; FUA writes
    // are already durable.
    if (can_fua_) return;
    throw IoError(fmt::format("flush of {} refused: the server does not support flush", uri_));
  }
  if (nbd_flush(handle, 0) != 0) request_failed(fmt::format("flush of {}", uri_), after_write);
}

}  // namespace poolha::io

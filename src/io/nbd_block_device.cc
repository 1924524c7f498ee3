// libnbd's synchronous calls: nbd_pread, nbd_pwrite, nbd_flush.
#include "io/nbd_block_device.h"

#include <libnbd.h>

#include <algorithm>

#include <fmt/format.h>

#include "io/io_error.h"

namespace poolha::io {

namespace {

// Servers commonly accept 32 MiB per command; most state here is far smaller.
constexpr std::size_t kDefaultMaxRequest = std::size_t{32} << 20;

std::string nbd_reason() {
  const char* error = nbd_get_error();
  return error != nullptr ? error : "unknown libnbd error";
}

}  // namespace

NbdBlockDevice::NbdBlockDevice(std::string uri) : uri_(std::move(uri)) {
  handle_ = nbd_create();
  if (handle_ == nullptr) {
    throw IoError(fmt::format("cannot create an NBD handle: {}", nbd_reason()));
  }
  try {
    if (nbd_connect_uri(handle_, uri_.c_str()) != 0) {
      throw IoError(fmt::format("cannot connect to {}: {}", uri_, nbd_reason()));
    }
    const std::int64_t size = nbd_get_size(handle_);
    if (size < 0) {
      throw IoError(fmt::format("cannot get the size of {}: {}", uri_, nbd_reason()));
    }
    size_ = static_cast<std::uint64_t>(size);
    can_fua_ = nbd_can_fua(handle_) == 1;
    can_flush_ = nbd_can_flush(handle_) == 1;
    std::size_t max_request = kDefaultMaxRequest;
    const std::int64_t server_max = nbd_get_block_size(handle_, LIBNBD_SIZE_MAXIMUM);
    if (server_max > 0) max_request = std::min(max_request, static_cast<std::size_t>(server_max));
    max_request_ = max_request / kBlockAlignment * kBlockAlignment;
    if (max_request_ == 0) {
      throw IoError(fmt::format("{}: the server's maximum request ({} bytes) is below one block",
                                uri_, server_max));
    }
  } catch (...) {
    nbd_close(handle_);
    throw;
  }
}

NbdBlockDevice::~NbdBlockDevice() {
  nbd_shutdown(handle_, 0);
  nbd_close(handle_);
}

std::vector<std::uint8_t> NbdBlockDevice::read(std::uint64_t offset, std::size_t length) {
  check_block_request(*this, "read", offset, length);
  std::vector<std::uint8_t> bytes(length);
  for (std::size_t done = 0; done < length;) {
    const std::size_t chunk = std::min(max_request_, length - done);
    if (nbd_pread(handle_, bytes.data() + done, chunk, offset + done, 0) != 0) {
      throw IoError(
          fmt::format("read of {} at offset {} failed: {}", uri_, offset + done, nbd_reason()));
    }
    done += chunk;
  }
  return bytes;
}

void NbdBlockDevice::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  check_block_request(*this, "write", offset, bytes.size());
  if (!can_fua_ && !can_flush_) {
    throw IoError(
        fmt::format("write to {} refused: the server supports neither FUA nor flush, so "
                    "writes cannot be made durable (enable flush on the server)",
                    uri_));
  }
  const std::uint32_t flags = can_fua_ ? LIBNBD_CMD_FLAG_FUA : 0;
  for (std::size_t done = 0; done < bytes.size();) {
    const std::size_t chunk = std::min(max_request_, bytes.size() - done);
    if (nbd_pwrite(handle_, bytes.data() + done, chunk, offset + done, flags) != 0) {
      throw IoError(
          fmt::format("write of {} at offset {} failed: {}", uri_, offset + done, nbd_reason()));
    }
    done += chunk;
  }
  if (!can_fua_) flush();
}

void NbdBlockDevice::flush() {
  if (!can_flush_) {
    // Without a volatile cache to flush there is nothing to do; FUA writes
    // are already durable.
    if (can_fua_) return;
    throw IoError(fmt::format("flush of {} refused: the server does not support flush", uri_));
  }
  if (nbd_flush(handle_, 0) != 0) {
    throw IoError(fmt::format("flush of {} failed: {}", uri_, nbd_reason()));
  }
}

}  // namespace poolha::io

// A BlockDevice on an NBD export, the heartbeat SR reached over the network
// (qemu-nbd, nbd-server), through libnbd: URI nbd://host:port/export.
//
// A write is durable when it returns: it carries FUA when the server offers
// it, otherwise it is followed by a flush; a server offering neither cannot
// make writes durable and writes are refused. Requests larger than the
// server's maximum are split.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/block_device.h"

struct nbd_handle;

namespace poolha::io {

class NbdBlockDevice final : public BlockDevice {
 public:
  // Connects at once. Throws IoError with libnbd's reason when it cannot.
  explicit NbdBlockDevice(std::string uri);
  ~NbdBlockDevice() override;
  NbdBlockDevice(const NbdBlockDevice&) = delete;
  NbdBlockDevice& operator=(const NbdBlockDevice&) = delete;

  const std::string& name() const override { return uri_; }
  std::uint64_t size() const override { return size_; }

  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) override;
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  void flush() override;

 private:
  std::string uri_;
  nbd_handle* handle_ = nullptr;
  std::uint64_t size_ = 0;
  std::size_t max_request_ = 0;  // bytes per NBD command, a multiple of the alignment
  bool can_fua_ = false;
  bool can_flush_ = false;
};

}  // namespace poolha::io

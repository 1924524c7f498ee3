// Errors of libvirt calls, carrying libvirt's own message. libvirt keeps the
// last error per thread, so the message is read on the thread of the failed
// call, right after it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace poolha::vm::libvirt {

class LibvirtError : public std::runtime_error {
 public:
  LibvirtError(std::string message, int code)
      : std::runtime_error(std::move(message)), code_(code) {}

  // libvirt's virErrorNumber, VIR_ERR_OK when the failure was not libvirt's.
  int code() const { return code_; }

 private:
  int code_;
};

// "<what>: <libvirt's message>" with the code of this thread's last libvirt error.
LibvirtError last_libvirt_error(std::string_view what);

// The code of this thread's last libvirt error, VIR_ERR_OK if none.
int last_libvirt_error_code();

}  // namespace poolha::vm::libvirt

#include "vm/libvirt/libvirt_error.h"

#include <libvirt/virterror.h>

namespace poolha::vm::libvirt {

LibvirtError last_libvirt_error(std::string_view what) {
  std::string message(what);
  message += ": ";
  // Never null: libvirt says "no error" when nothing was recorded.
  message += virGetLastErrorMessage();
  return LibvirtError(std::move(message), last_libvirt_error_code());
}

int last_libvirt_error_code() {
  const virErrorPtr error = virGetLastError();
  return error == nullptr ? VIR_ERR_OK : error->code;
}

}  // namespace poolha::vm::libvirt

#include "vm/libvirt/libvirt_handles.h"

#include "vm/libvirt/libvirt_error.h"

namespace poolha::vm::libvirt {

std::string domain_uuid(virDomainPtr domain) {
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virDomainGetUUIDString(domain, uuid) != 0)
    throw last_libvirt_error("cannot read domain uuid");
  return uuid;
}

}  // namespace poolha::vm::libvirt

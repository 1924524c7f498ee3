// Owning handles for libvirt's reference-counted objects, so every path that
// leaves a function releases its connection and domain references.
#pragma once

#include <libvirt/libvirt.h>

#include <memory>
#include <string>

namespace poolha::vm::libvirt {

struct ConnectionCloser {
  void operator()(virConnectPtr connection) const { virConnectClose(connection); }
};
using ConnectionHandle = std::unique_ptr<virConnect, ConnectionCloser>;

struct DomainFreer {
  void operator()(virDomainPtr domain) const { virDomainFree(domain); }
};
using DomainHandle = std::unique_ptr<virDomain, DomainFreer>;

// The domain's uuid in libvirt's canonical text form; throws LibvirtError.
std::string domain_uuid(virDomainPtr domain);

}  // namespace poolha::vm::libvirt

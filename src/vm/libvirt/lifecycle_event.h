// Which libvirt domain lifecycle events are halts the HA layer must hear
// about. A pure function, so the mapping is tested without a guest: libvirt's
// test driver has no guest that could shut itself down or crash.
#pragma once

#include <optional>
#include <string>

#include "vm/vm_driver.h"

namespace poolha::vm::libvirt {

// `event` and `detail` as libvirt reports them (virDomainEventType and that
// type's detail enum). `stop_requested`: this driver asked the domain to
// stop and has not seen it stop since.
std::optional<HaltCause> halt_cause_of(int event, int detail, bool stop_requested);

// "stopped (shutdown)" and the like, for log lines.
std::string describe_lifecycle_event(int event, int detail);

}  // namespace poolha::vm::libvirt

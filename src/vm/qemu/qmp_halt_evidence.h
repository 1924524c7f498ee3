// Why a QEMU VM ended, from the QMP events seen before its process exited.
// Only a guest that powered itself off is a guest shutdown; a panic, a
// watchdog firing, or QEMU ending for any other reason (killed, a host
// error, a QEMU crash) is a crash of the VM.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "vm/vm_driver.h"

namespace poolha::vm {

class QmpHaltEvidence {
 public:
  void observe(const std::string& event, const nlohmann::json& data);

  // The guest panicked or its watchdog fired: its domain must be destroyed
  // even if QEMU would keep it (paused, or reset) on its own.
  bool guest_failed() const { return panicked_ || watchdog_action_.has_value(); }
  HaltCause cause() const;
  // For logs: "guest shutdown", "guest panic", "watchdog fired (reset)",
  // "QEMU shut down: host-signal", "QEMU exited without a shutdown event".
  std::string describe() const;

 private:
  std::optional<std::string> shutdown_reason_;
  bool panicked_ = false;
  std::optional<std::string> watchdog_action_;
};

}  // namespace poolha::vm

#include "vm/qemu/qemu_driver_config.h"

#include <stdexcept>
#include <string>

namespace poolha::vm {

Accelerator parse_accelerator(std::string_view text) {
  if (text == "auto") return Accelerator::kAuto;
  if (text == "kvm") return Accelerator::kKvm;
  if (text == "tcg") return Accelerator::kTcg;
  throw std::invalid_argument("accel must be auto, kvm or tcg, not '" + std::string(text) + "'");
}

std::string_view accelerator_name(Accelerator accel) {
  switch (accel) {
    case Accelerator::kAuto:
      return "auto";
    case Accelerator::kKvm:
      return "kvm";
    case Accelerator::kTcg:
      return "tcg";
  }
  return "?";
}

}  // namespace poolha::vm

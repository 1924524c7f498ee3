#include "sim/sim_host.h"

namespace poolha::sim {

std::string_view to_string(Power p) {
  switch (p) {
    case Power::kOff:
      return "off";
    case Power::kRunning:
      return "running";
    case Power::kHung:
      return "hung";
    case Power::kFenced:
      return "fenced";
  }
  return "?";
}

}  // namespace poolha::sim

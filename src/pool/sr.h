// A storage repository as the database records it.
#pragma once

#include <string>

namespace poolha::pool {

struct Sr {
  std::string uuid;
  std::string name_label;
  std::string type;  // SM driver name: "nfs", "lvmoiscsi", ...
  bool shared = false;
  // Suitable to hold the HA statefile and this metadata log (a heartbeat SR).
  // Only shared SRs qualify: every host must reach it.
  bool heartbeat = false;

  friend bool operator==(const Sr&, const Sr&) = default;
};

}  // namespace poolha::pool

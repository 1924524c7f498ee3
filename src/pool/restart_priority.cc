#include "pool/restart_priority.h"

namespace poolha::pool {

std::string_view to_string(RestartPriority priority) {
  switch (priority) {
    case RestartPriority::kUnprotected:
      return "";
    case RestartPriority::kBestEffort:
      return "best-effort";
    case RestartPriority::kRestart:
      return "restart";
  }
  return "?";
}

std::optional<RestartPriority> parse_restart_priority(std::string_view text) {
  for (RestartPriority p :
       {RestartPriority::kUnprotected, RestartPriority::kBestEffort, RestartPriority::kRestart}) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

}  // namespace poolha::pool

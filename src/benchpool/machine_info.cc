// The machine's description for the results header (machine_info.h).
#include "benchpool/machine_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iterator>

namespace poolha::benchpool {

std::string cpu_model_from_cpuinfo(std::string_view cpuinfo) {
  constexpr std::string_view kKey = "model name";
  std::size_t at = 0;
  while (at < cpuinfo.size()) {
    std::size_t end = cpuinfo.find('\n', at);
    if (end == std::string_view::npos) end = cpuinfo.size();
    const std::string_view line = cpuinfo.substr(at, end - at);
    if (line.substr(0, kKey.size()) == kKey) {
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) return "";
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == ' ' || value.back() == '\r'))
        value.remove_suffix(1);
      return std::string(value);
    }
    at = end + 1;
  }
  return "";
}

MachineInfo read_machine_info() {
  MachineInfo info;
  std::ifstream in("/proc/cpuinfo");
  const std::string cpuinfo((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  info.cpu_model = cpu_model_from_cpuinfo(cpuinfo);
  if (info.cpu_model.empty()) info.cpu_model = "unknown";
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  info.cores = online > 0 ? static_cast<unsigned>(online) : 0;
  utsname names{};
  if (::uname(&names) == 0) {
    // The node name is deliberately not used.
    info.kernel = std::string(names.sysname) + " " + names.release + " " + names.machine;
  } else {
    info.kernel = "unknown";
  }
  return info;
}

std::string utc_now_text() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &parts);
  return text;
}

}  // namespace poolha::benchpool

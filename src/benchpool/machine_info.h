// What a reader of the results needs to know about the machine that
// measured them: CPU model, core count, kernel, and when. Host names and
// file paths are left out on purpose: the results are committed, and they
// describe a kind of machine, not one machine.
#pragma once

#include <string>
#include <string_view>

namespace poolha::benchpool {

struct MachineInfo {
  std::string cpu_model;  // "unknown" when /proc/cpuinfo does not say
  unsigned cores = 0;     // online logical CPUs
  std::string kernel;     // uname: system name, release and machine
};

// The "model name" of the first CPU in a /proc/cpuinfo text; empty when none.
std::string cpu_model_from_cpuinfo(std::string_view cpuinfo);

MachineInfo read_machine_info();

// The current time in UTC as "YYYY-MM-DD HH:MM UTC".
std::string utc_now_text();

}  // namespace poolha::benchpool

#include "vm/process/vm_template.h"

#include <stdexcept>

#include "common/units.h"

namespace poolha::vm {

std::uint64_t memory_mib(const VmConfig& vm, std::uint64_t fallback_mib) {
  if (vm.memory == 0) return fallback_mib;
  return (vm.memory + kMiB - 1) / kMiB;
}

std::string expand_vm_template(std::string_view pattern, const VmConfig& vm) {
  std::string out;
  out.reserve(pattern.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    const bool doubled = i + 1 < pattern.size() && pattern[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '}') {
      throw std::invalid_argument("unmatched '}' in template '" + std::string(pattern) + "'");
    }
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      throw std::invalid_argument("unmatched '{' in template '" + std::string(pattern) + "'");
    }
    const std::string_view key = pattern.substr(i + 1, close - i - 1);
    if (key == "uuid") {
      out += vm.uuid;
    } else if (key == "name") {
      out += vm.name;
    } else if (key == "memory_mib") {
      out += std::to_string(memory_mib(vm));
    } else {
      throw std::invalid_argument("unknown placeholder {" + std::string(key) + "} in template '" +
                                  std::string(pattern) + "' (known: {uuid} {name} {memory_mib})");
    }
    i = close;
  }
  return out;
}

}  // namespace poolha::vm

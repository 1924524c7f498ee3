#include "daemon/store/vm_spec.h"

#include <charconv>
#include <set>
#include <string>

#include <fmt/format.h>

namespace poolha::daemon {

namespace {

template <typename Integer>
Integer parse_integer(std::string_view spec, std::string_view key, std::string_view value) {
  Integer number{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
    throw VmSpecError(
        fmt::format("--vm {}: {} must be a whole number, not '{}'", spec, key, value));
  }
  return number;
}

}  // namespace

NewVm parse_vm_spec(std::string_view text) {
  NewVm vm;
  bool has_memory = false;
  std::set<std::string, std::less<>> seen;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      throw VmSpecError(fmt::format("--vm {}: '{}' is not key=value", text, item));
    }
    const std::string_view key = item.substr(0, equals);
    const std::string_view value = item.substr(equals + 1);
    if (!seen.emplace(key).second) {
      throw VmSpecError(fmt::format("--vm {}: {} is given twice", text, key));
    }
    if (key == "name") {
      if (value.empty()) throw VmSpecError(fmt::format("--vm {}: name is empty", text));
      vm.name = value;
    } else if (key == "memory-mib") {
      vm.memory_mib = parse_integer<std::uint64_t>(text, key, value);
      if (vm.memory_mib == 0) throw VmSpecError(fmt::format("--vm {}: memory-mib is 0", text));
      has_memory = true;
    } else if (key == "priority") {
      if (value == "restart") {
        vm.priority = pool::RestartPriority::kRestart;
      } else if (value == "best-effort") {
        vm.priority = pool::RestartPriority::kBestEffort;
      } else if (value == "none") {
        vm.priority = pool::RestartPriority::kUnprotected;
      } else {
        throw VmSpecError(fmt::format(
            "--vm {}: priority must be restart, best-effort or none, not '{}'", text, value));
      }
    } else if (key == "order") {
      vm.order = parse_integer<std::int64_t>(text, key, value);
    } else {
      throw VmSpecError(fmt::format(
          "--vm {}: unknown key '{}' (known: name, memory-mib, priority, order)", text, key));
    }
  }
  if (vm.name.empty()) throw VmSpecError(fmt::format("--vm {}: name is required", text));
  if (!has_memory) throw VmSpecError(fmt::format("--vm {}: memory-mib is required", text));
  return vm;
}

}  // namespace poolha::daemon

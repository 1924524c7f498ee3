#include "pool/field_rules.h"

#include <fmt/format.h>
#include <charconv>
#include <set>
#include <string>

#include "common/host_set.h"

namespace poolha::pool {
namespace {

Error invalid(std::string detail) {
  return Error{ErrorCode::kInvalidValue, std::move(detail)};
}

bool in_range(std::int64_t v, std::int64_t lo, std::int64_t hi) {
  return v >= lo && v <= hi;
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is malformed.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  char32_t code = 0;
  char32_t smallest = 0;  // below this the sequence is overlong
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1Fu;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0Fu;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07u;
    smallest = 0x10000;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  if (code < smallest || code > 0x10FFFF) return 0;
  if (code >= 0xD800 && code <= 0xDFFF) return 0;
  return length;
}

// Messages are built only on failure: these checks run on every record of
// every snapshot decoded.
Status check_text(std::string_view record, std::string_view field, std::string_view text) {
  if (!is_valid_utf8(text)) return invalid(fmt::format("{}: {} is not valid UTF-8", record, field));
  return {};
}

Status check_uuid(std::string_view what, std::string_view uuid) {
  if (!is_valid_uuid(uuid)) return invalid(fmt::format("{} '{}' is not a valid uuid", what, uuid));
  return {};
}

}  // namespace

bool is_valid_uuid(std::string_view text) {
  if (text.empty() || text.size() > kMaxUuidLength) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == ':';
    if (!ok) return false;
  }
  return true;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

Result<std::int64_t> parse_ha_timeout(std::string_view text) {
  std::int64_t seconds = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  const bool digits_only = !text.empty() && text.front() != '-' && text.front() != '+';
  if (!digits_only || ec != std::errc() || ptr != end ||
      !in_range(seconds, 1, kMaxHaTimeoutSeconds)) {
    return invalid(fmt::format("HA timeout '{}' is not a whole number of seconds in 1..{}", text,
                               kMaxHaTimeoutSeconds));
  }
  return seconds;
}

Status check_fields(const Host& host) {
  if (Status s = check_uuid("host uuid", host.uuid); !s) return s;
  const auto who = [&] { return fmt::format("host {}", host.uuid); };
  if (!is_valid_utf8(host.name_label)) return check_text(who(), "name_label", host.name_label);
  if (!is_valid_utf8(host.address)) return check_text(who(), "address", host.address);
  if (!in_range(host.memory_total, 0, kMaxMemoryBytes)) {
    return invalid(fmt::format("{}: memory_total {} outside 0..{}", who(), host.memory_total,
                               kMaxMemoryBytes));
  }
  if (!in_range(host.memory_overhead, 0, host.memory_total)) {
    return invalid(fmt::format("{}: memory_overhead {} outside 0..memory_total ({})", who(),
                               host.memory_overhead, host.memory_total));
  }
  return {};
}

Status check_fields(const Sr& sr) {
  if (Status s = check_uuid("SR uuid", sr.uuid); !s) return s;
  const auto who = [&] { return fmt::format("SR {}", sr.uuid); };
  if (!is_valid_utf8(sr.name_label)) return check_text(who(), "name_label", sr.name_label);
  if (!is_valid_utf8(sr.type)) return check_text(who(), "type", sr.type);
  if (sr.heartbeat && !sr.shared) {
    return invalid(fmt::format("{}: a heartbeat SR must be shared", who()));
  }
  return {};
}

Status check_fields(const Vm& vm) {
  if (Status s = check_uuid("VM uuid", vm.uuid); !s) return s;
  const auto who = [&] { return fmt::format("VM {}", vm.uuid); };
  if (!is_valid_utf8(vm.name_label)) return check_text(who(), "name_label", vm.name_label);
  if (!vm.resident_on.empty() && !is_valid_uuid(vm.resident_on)) {
    return check_uuid(who() + " resident_on", vm.resident_on);
  }
  if (!vm.scheduled_to_be_resident_on.empty() && !is_valid_uuid(vm.scheduled_to_be_resident_on)) {
    return check_uuid(who() + " scheduled_to_be_resident_on", vm.scheduled_to_be_resident_on);
  }
  if (!in_range(vm.memory_static_max, 0, kMaxMemoryBytes)) {
    return invalid(fmt::format("{}: memory_static_max {} outside 0..{}", who(),
                               vm.memory_static_max, kMaxMemoryBytes));
  }
  if (!in_range(vm.start_delay, 0, kMaxStartDelaySeconds)) {
    return invalid(fmt::format("{}: start_delay {} outside 0..{} seconds", who(), vm.start_delay,
                               kMaxStartDelaySeconds));
  }
  const bool has_domain =
      vm.power_state == PowerState::kRunning || vm.power_state == PowerState::kPaused;
  if (has_domain && vm.resident_on.empty()) {
    return invalid(fmt::format("{}: {} but resident on no host", who(), to_string(vm.power_state)));
  }
  if (!has_domain && !vm.resident_on.empty()) {
    return invalid(fmt::format("{}: {} but resident on host {}", who(), to_string(vm.power_state),
                               vm.resident_on));
  }
  // The start completed once the domain exists, so nothing is on its way any more.
  if (has_domain && !vm.scheduled_to_be_resident_on.empty()) {
    return invalid(fmt::format("{}: {} but still scheduled to be resident on host {}", who(),
                               to_string(vm.power_state), vm.scheduled_to_be_resident_on));
  }
  return {};
}

Status check_fields(const Pool& pool) {
  if (Status s = check_uuid("pool uuid", pool.uuid); !s) return s;
  if (Status s = check_text("pool", "name_label", pool.name_label); !s) return s;
  if (!pool.master.empty()) {
    if (Status s = check_uuid("pool master", pool.master); !s) return s;
  }
  if (!in_range(pool.ha_timeout, 1, kMaxHaTimeoutSeconds)) {
    return invalid(
        fmt::format("ha_timeout {} outside 1..{} seconds", pool.ha_timeout, kMaxHaTimeoutSeconds));
  }
  for (const auto& [key, value] : pool.ha_configuration) {
    if (key.empty()) return invalid("ha_configuration has an empty key");
    if (Status s = check_text("ha_configuration", "a key", key); !s) return s;
    if (Status s = check_text("ha_configuration", "a value", value); !s) return s;
  }
  if (auto it = pool.ha_configuration.find(kHaConfigTimeoutKey);
      it != pool.ha_configuration.end()) {
    Result<std::int64_t> timeout = parse_ha_timeout(it->second);
    if (!timeout) return timeout.error();
    if (timeout.value() != pool.ha_timeout) {
      return invalid(fmt::format("ha_configuration timeout {} disagrees with ha_timeout {}",
                                 it->second, pool.ha_timeout));
    }
  }
  const auto max_hosts = static_cast<std::int64_t>(kMaxHosts);
  if (!in_range(pool.ha_host_failures_to_tolerate, 0, max_hosts)) {
    return invalid(fmt::format("ha_host_failures_to_tolerate {} outside 0..{}",
                               pool.ha_host_failures_to_tolerate, max_hosts));
  }
  if (!in_range(pool.ha_plan_exists_for, 0, max_hosts)) {
    return invalid(
        fmt::format("ha_plan_exists_for {} outside 0..{}", pool.ha_plan_exists_for, max_hosts));
  }
  std::set<std::string_view> seen;
  for (const std::string& sr : pool.ha_statefiles) {
    if (Status s = check_uuid("ha_statefiles entry", sr); !s) return s;
    if (!seen.insert(sr).second) return invalid(fmt::format("ha_statefiles lists {} twice", sr));
  }
  if (pool.ha_enabled && pool.ha_statefiles.empty()) {
    return invalid("HA enabled without a statefile SR");
  }
  if (pool.ha_enabled && pool.master.empty()) return invalid("HA enabled without a master");
  return {};
}

}  // namespace poolha::pool

// One write to the pool database: the unit the master validates, persists to
// the metadata log (as a delta record) and only then applies and acknowledges.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pool/host.h"
#include "pool/sr.h"
#include "pool/vm.h"

namespace poolha::pool {

// Creates the record, or replaces the one with the same uuid.
struct UpsertHost {
  Host host;
  friend bool operator==(const UpsertHost&, const UpsertHost&) = default;
};
struct UpsertSr {
  Sr sr;
  friend bool operator==(const UpsertSr&, const UpsertSr&) = default;
};
struct UpsertVm {
  Vm vm;
  friend bool operator==(const UpsertVm&, const UpsertVm&) = default;
};

struct RemoveHost {
  std::string uuid;
  friend bool operator==(const RemoveHost&, const RemoveHost&) = default;
};
struct RemoveSr {
  std::string uuid;
  friend bool operator==(const RemoveSr&, const RemoveSr&) = default;
};
struct RemoveVm {
  std::string uuid;
  friend bool operator==(const RemoveVm&, const RemoveVm&) = default;
};

// Sets the pool fields that are present and leaves the others alone. The pool
// uuid never changes.
//
// Timeout rule: if ha_configuration is set and holds "timeout", that value
// becomes ha_timeout (setting ha_timeout to a different value in the same
// change is an error); if it is set without "timeout", ha_timeout is kept.
// Whenever either field is set, ha_configuration["timeout"] is rewritten to
// the resulting ha_timeout, so the two never disagree.
struct SetPoolFields {
  std::optional<std::string> name_label;
  std::optional<std::string> master;
  std::optional<bool> ha_enabled;
  std::optional<std::map<std::string, std::string>> ha_configuration;
  std::optional<std::int64_t> ha_timeout;
  std::optional<std::int64_t> ha_host_failures_to_tolerate;
  std::optional<std::int64_t> ha_plan_exists_for;
  std::optional<bool> ha_overcommitted;
  std::optional<bool> ha_allow_overcommit;
  std::optional<bool> ha_reboot_vm_on_internal_shutdown;
  std::optional<std::vector<std::string>> ha_statefiles;

  friend bool operator==(const SetPoolFields&, const SetPoolFields&) = default;
};

using Change =
    std::variant<UpsertHost, RemoveHost, UpsertSr, RemoveSr, UpsertVm, RemoveVm, SetPoolFields>;

// "upsert_host", "remove_vm", "set_pool", ...: the `op` of the JSON encoding.
std::string_view operation_name(const Change& change);

}  // namespace poolha::pool
